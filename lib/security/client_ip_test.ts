import assert from "node:assert/strict";
import {
  clientIp,
  formatIp,
  isTrustedProxy,
  parseIp,
  parseTrustedProxies,
} from "./client_ip.ts";

function info(hostname: string): Deno.ServeHandlerInfo {
  return {
    remoteAddr: { transport: "tcp", hostname, port: 54321 },
    completed: Promise.resolve(),
  } as Deno.ServeHandlerInfo;
}

function req(xff?: string | string[]): Request {
  const headers = new Headers();
  for (const v of xff === undefined ? [] : [xff].flat()) {
    headers.append("x-forwarded-for", v);
  }
  return new Request("http://localhost/", { headers });
}

const proxies = parseTrustedProxies("127.0.0.1,10.0.0.0/8,::1, fd00::/8");
const none = parseTrustedProxies("");

Deno.test("parseIp / formatIp: IPv4, IPv6, canonical forms", () => {
  const canon = (s: string) => {
    const ip = parseIp(s);
    return ip && formatIp(ip);
  };
  assert.equal(canon("192.168.0.1"), "192.168.0.1");
  assert.equal(canon(" 0.0.0.0 "), "0.0.0.0");
  assert.equal(canon("255.255.255.255"), "255.255.255.255");
  assert.equal(canon("::1"), "::1");
  assert.equal(canon("::"), "::");
  assert.equal(canon("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  assert.equal(canon("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  assert.equal(
    canon("2001:0db8:0000:0001:0000:0000:0000:0001"),
    "2001:db8:0:1::1",
  );
  assert.equal(canon("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
  assert.equal(canon("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
  assert.equal(canon("fe80::1%eth0"), "fe80::1");
  assert.equal(canon("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
  // IPv4-mapped IPv6 is IPv4.
  assert.equal(canon("::ffff:1.2.3.4"), "1.2.3.4");
  assert.equal(canon("::FFFF:0102:0304"), "1.2.3.4");
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3.-4",
      "1.2.3.4:80",
      "1::2::3",
      ":::",
      ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7:8::",
      "12345::",
      "g::1",
      "::1.2.3",
      "localhost",
      "unknown",
      "x".repeat(1000),
    ]
  ) {
    assert.equal(parseIp(bad), null, bad);
  }
});

Deno.test("parseTrustedProxies: CIDRs of both families; bad entries throw clearly", () => {
  const p = parseTrustedProxies(
    " 10.0.0.0/8 192.168.1.1, 2001:db8::/32,::ffff:172.16.0.0/108 ",
  );
  assert.ok(isTrustedProxy("10.255.1.2", p));
  assert.ok(!isTrustedProxy("11.0.0.1", p));
  assert.ok(isTrustedProxy("192.168.1.1", p));
  assert.ok(!isTrustedProxy("192.168.1.2", p));
  assert.ok(isTrustedProxy("2001:db8:ffff::1", p));
  assert.ok(!isTrustedProxy("2001:db9::1", p));
  assert.ok(isTrustedProxy("172.16.9.9", p), "mapped CIDR is an IPv4 /12");
  assert.ok(
    isTrustedProxy("::ffff:10.0.0.1", p),
    "mapped address matches IPv4 range",
  );
  assert.ok(!isTrustedProxy("garbage", p));
  // Host bits set are cleared, as most tools do.
  assert.ok(isTrustedProxy("10.9.9.9", parseTrustedProxies("10.1.2.3/8")));
  assert.ok(isTrustedProxy("8.8.8.8", parseTrustedProxies("0.0.0.0/0")));
  assert.ok(!isTrustedProxy("::1", parseTrustedProxies("0.0.0.0/0")));
  assert.equal(parseTrustedProxies("").ranges.length, 0);

  for (
    const bad of [
      "10.0.0.0/33",
      "::/129",
      "localhost",
      "10.0.0.0/",
      "1.2.3.4/8/8",
      "fe80::1%eth0",
    ]
  ) {
    assert.throws(
      () => parseTrustedProxies(`127.0.0.1, ${bad}`),
      (e: Error) => {
        assert.match(e.message, /^TRUSTED_PROXIES: /);
        assert.ok(e.message.includes(`"${bad}"`), e.message);
        return true;
      },
    );
  }
  assert.throws(() => parseTrustedProxies("a, b"), /"a".*; "b"/);
});

Deno.test("clientIp: untrusted peer: X-Forwarded-For is ignored (spoofing)", () => {
  assert.equal(
    clientIp(req("1.1.1.1"), info("203.0.113.9"), proxies),
    "203.0.113.9",
  );
  assert.equal(clientIp(req("1.1.1.1"), info("127.0.0.1"), none), "127.0.0.1");
  assert.equal(
    clientIp(req(), info("::ffff:203.0.113.9"), none),
    "203.0.113.9",
  );
  assert.equal(clientIp(req(), info("2001:DB8::7"), none), "2001:db8::7");
});

Deno.test("clientIp: through trusted proxies, right-most untrusted address wins", () => {
  // Client-supplied "6.6.6.6" sits left of the real client 198.51.100.7.
  const chain = "6.6.6.6, 198.51.100.7, 10.0.0.2";
  assert.equal(
    clientIp(req(chain), info("127.0.0.1"), proxies),
    "198.51.100.7",
  );
  // Several header lines are one list.
  assert.equal(
    clientIp(
      req(["6.6.6.6", "198.51.100.7,10.0.0.2"]),
      info("10.0.0.1"),
      proxies,
    ),
    "198.51.100.7",
  );
  // Dual-stack socket: the proxy appears as an IPv4-mapped address.
  assert.equal(
    clientIp(req("198.51.100.7"), info("::ffff:10.1.1.1"), proxies),
    "198.51.100.7",
  );
  // No header: the proxy itself.
  assert.equal(clientIp(req(), info("127.0.0.1"), proxies), "127.0.0.1");
  // Every hop trusted: the left-most one.
  assert.equal(
    clientIp(req("10.0.0.9, 10.0.0.8"), info("127.0.0.1"), proxies),
    "10.0.0.9",
  );
});

Deno.test("clientIp: IPv6 clients and proxies", () => {
  assert.equal(
    clientIp(req("2001:DB8::1, fd00::5"), info("::1"), proxies),
    "2001:db8::1",
  );
  assert.equal(
    clientIp(req("[2001:db8::2]:4711"), info("::1"), proxies),
    "2001:db8::2",
  );
  assert.equal(
    clientIp(req("::ffff:198.51.100.7"), info("::1"), proxies),
    "198.51.100.7",
  );
  assert.equal(
    clientIp(req("198.51.100.7:8080"), info("::1"), proxies),
    "198.51.100.7",
  );
});

Deno.test("clientIp: garbage entries are skipped, garbage headers never throw", () => {
  assert.equal(
    clientIp(
      req("198.51.100.7, unknown, , 10.0.0.3"),
      info("127.0.0.1"),
      proxies,
    ),
    "198.51.100.7",
  );
  assert.equal(
    clientIp(req("nonsense"), info("127.0.0.1"), proxies),
    "127.0.0.1",
  );
  assert.equal(clientIp(req(",,,"), info("127.0.0.1"), proxies), "127.0.0.1");
  assert.equal(
    clientIp(req("<script>, 999.1.1.1, [::1"), info("127.0.0.1"), proxies),
    "127.0.0.1",
  );
  // No real chain has 40 of our proxies: stop looking after 32 hops.
  const long = ["198.51.100.7", ...Array(40).fill("10.0.0.1")].join(",");
  assert.equal(clientIp(req(long), info("127.0.0.1"), proxies), "10.0.0.1");
  const huge = `198.51.100.7${",x".repeat(50_000)}`;
  assert.equal(clientIp(req(huge), info("127.0.0.1"), proxies), "127.0.0.1");
  assert.equal(clientIp(req("1.2.3.4"), undefined, proxies), "unknown");
  const unix = {
    remoteAddr: { transport: "unix", path: "/tmp/s" },
  } as unknown as Deno.ServeHandlerInfo;
  assert.equal(clientIp(req("1.2.3.4"), unix, proxies), "unknown");
});
