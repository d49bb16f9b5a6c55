/**
 * Hostile request parts for the fuzz: paths, query strings and headers.
 *
 * @module
 */
import { ALNUM, PRINTABLE, type Rng } from "./fuzz_rng.ts";

/** What the generators need to know about the app under test. */
export interface FuzzContext {
  /** The origin the app trusts, `http://localhost:<port>`. */
  origin: string;
  /** `name=value` of a live session of a real user, when there is one. */
  validCookie: string | null;
  /** The id of that session. */
  validSessionId: string | null;
  /** A real user's email, to reach the password check. */
  email: string;
  password: string;
}

/** Paths no route serves, under every prefix the app has. */
export const UNKNOWN_PATHS = [
  "/nope",
  "/api",
  "/api/",
  "/api/nope",
  "/api/auth",
  "/api/auth/nope",
  "/api/stripe/webhook",
  "/_fresh/js/nope.js",
  "/_fresh/",
  "/.env",
  "/static/styles.css",
  "/wp-login.php",
];

const PATH_SUFFIXES = [
  "%",
  "%ZZ",
  "%00",
  "%C0%AF", // overlong "/"
  "%E0%80%AF", // overlong "/", three bytes
  "%C0%AE%C0%AE%C0%AF", // overlong "../"
  "%FF%FE",
  "%ED%A0%80", // a lone surrogate in UTF-8
  "..%2f..%2f..%2fetc%2fpasswd",
  "%2e%2e/%2e%2e/etc/passwd",
  "%252e%252e%252f",
  ";jsessionid=1",
  "~",
  ".json",
  "%20",
  "%u0041",
  "\\..\\..\\windows",
];

const UNICODE = [
  "ünïcødé",
  "😀",
  "\u202e",
  "\ufeff",
  "\u0000",
  "\ud800", // lone surrogate: the URL parser writes U+FFFD
  "日本語",
  "\u200b",
];

/** A path built from `base`: as is, or damaged in one of many ways. */
export function fuzzPath(rng: Rng, base: string): string {
  if (rng.chance(0.45)) return base;
  switch (rng.int(12)) {
    case 0:
      return base + "/";
    case 1:
      return base.replace(/\/([^/]*)$/, "/./$1");
    case 2:
      return `${base}/%2e%2e`;
    case 3:
      return base.replace(/\/?$/, "/") + rng.pick(PATH_SUFFIXES);
    case 4:
      return base + rng.pick(PATH_SUFFIXES);
    case 5:
      return `${base}/${rng.text(4096, ALNUM)}`;
    case 6:
      return "/".repeat(2 + rng.int(60)) + base.replace(/^\/+/, "");
    case 7:
      return base.replace(/\//g, "//") + "/";
    case 8:
      return `${base}/${rng.pick(UNICODE)}/${rng.pick(UNICODE)}`;
    case 9:
      return base.toUpperCase();
    case 10:
      return `${base}/${"%".repeat(1 + rng.int(8))}${
        rng.text(2, "0123456789ABCDEFGZ")
      }`;
    default:
      return `${base}/${rng.text(1 + rng.int(300), PRINTABLE)}`.replace(
        /[?#]/g,
        "%3F",
      );
  }
}

/** A query string (with its `?`), or "". */
export function fuzzQuery(rng: Rng): string {
  switch (rng.int(14)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return "";
    case 4:
      return "?next=//evil.example";
    case 5:
      return "?next=%0d%0aSet-Cookie:%20x=y";
    case 6:
      return "?next=/%5Cevil.example&next=javascript:alert(1)";
    case 7:
      return "?" +
        Array.from({ length: 200 }, (_, i) => `next=/${i}&a=${i}`).join("&");
    case 8:
      return `?q=${rng.text(8192, ALNUM)}`;
    case 9:
      return rng.pick(["?%", "?%ZZ=%ZZ", "?&&&==&", "?=", "?next=%00", "?#"]);
    case 10:
      return `?next=${"/".repeat(3000)}`;
    case 11:
      return rng.pick(["?ended=1", "?ended=%FF", "?next=/dashboard"]);
    case 12:
      return `?next=/${rng.pick(UNICODE)}`;
    default:
      return `?${rng.text(1 + rng.int(200), PRINTABLE).replace(/#/g, "%23")}`;
  }
}

const ORIGINS = (origin: string) => [
  "null",
  "http://evil.example",
  `${origin}/`,
  origin.toUpperCase(),
  origin.replace("localhost", "127.0.0.1"),
  "",
  `${origin}.evil.example`,
];

function fuzzCookie(rng: Rng, c: FuzzContext): string | undefined {
  switch (rng.int(16)) {
    case 0:
    case 1:
    case 2:
      return undefined;
    case 3:
    case 4:
    case 5:
    case 6:
      return c.validCookie ?? undefined;
    case 7:
      return `session=${rng.text(22, ALNUM)}.${rng.text(52, ALNUM)}`;
    case 8:
      return rng.pick(["session=a.b", "session=.", "session=..", "session="]);
    case 9:
      return `session=${rng.text(4096, ALNUM + "._-")}`;
    case 10:
      return `__Host-session=${c.validCookie?.split("=")[1] ?? "a.b"}`;
    case 11:
      return Array.from({ length: 300 }, (_, i) => `c${i}=${i}`).join("; ");
    case 12:
      return `session="${rng.text(20, ALNUM)}"; session=${
        c.validCookie?.split("=")[1] ?? "x"
      }; theme=${rng.pick(["dark", "light", "<script>", "", "%00"])}`;
    case 13:
      // fetch sends only visible ASCII; raw bytes go in malformed_raw_test.ts.
      return `session=${
        encodeURIComponent(rng.pick(UNICODE.slice(0, 3)))
      }; theme=%F0`;
    case 14:
      return rng.pick([";;;===;", "=", "session", "theme=dark=light", "\t"]);
    default:
      return `${c.validCookie ?? "session=x"}; ${
        rng.text(1 + rng.int(100), PRINTABLE.replace(/[;]/g, ""))
      }`;
  }
}

const FORWARDED = [
  "garbage, ::1, 999.1.1.1",
  "::ffff:10.1.2.3",
  ", , ,",
  "[::1]:80",
  "1.2.3.4:99999",
  "fe80::1%eth0",
  "01.02.03.04",
  "2001:db8::1, 10.0.0.1, 127.0.0.1",
  "unknown",
  "1.1.1.1".repeat(200),
];

const ACCEPTS = [
  "*/*",
  "",
  "application/json",
  "text/html",
  "application/json;q=0, text/html",
  "text/html, application/json",
  "image/*",
  "application/jsonx",
  ";;;",
];

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "application/x-www-form-urlencoded",
  "APPLICATION/JSON",
  "application/json, text/html",
  "multipart/form-data; boundary=x",
  "multipart/form-data",
  "text/plain",
  ";;;",
  "application/x-www-form-urlencoded; charset=koi8-r",
  "application/json; charset=",
];

/** Request headers: mostly sane, each one sometimes hostile. */
export function fuzzHeaders(
  rng: Rng,
  c: FuzzContext,
  method: string,
  hasBody: boolean,
): Record<string, string> {
  const h: Record<string, string> = {};
  const unsafe = !["GET", "HEAD", "OPTIONS"].includes(method);
  // The CSRF check would answer most unsafe requests: mostly pass it.
  if (rng.chance(unsafe ? 0.75 : 0.4)) h.origin = c.origin;
  else if (rng.chance(0.5)) h.origin = rng.pick(ORIGINS(c.origin));
  if (!h.origin && rng.chance(0.2)) {
    h["sec-fetch-site"] = rng.pick(["same-origin", "cross-site", "none", "x"]);
  }
  const cookie = fuzzCookie(rng, c);
  if (cookie !== undefined) h.cookie = cookie;
  if (rng.chance(0.3)) h["x-forwarded-for"] = rng.pick(FORWARDED);
  if (rng.chance(0.25)) {
    h["user-agent"] = rng.pick([
      rng.text(8192, PRINTABLE),
      "ua%01%02%7F%1B[31m",
      "Mozilla/5.0 %F0%9F%98%80 %E2%80%AE",
      "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
      "\t",
    ]);
  }
  if (rng.chance(0.5)) h.accept = rng.pick(ACCEPTS);
  if (hasBody && rng.chance(0.9)) h["content-type"] = rng.pick(CONTENT_TYPES);
  else if (rng.chance(0.1)) h["content-type"] = rng.pick(CONTENT_TYPES);
  if (rng.chance(0.1)) {
    const [name, value] = rng.pick(
      [
        [
          "if-none-match",
          rng.pick(['"x"', "*", "W/", rng.text(500, PRINTABLE)]),
        ],
        ["if-modified-since", rng.pick(["yesterday", "Thu, 01 Jan 1970"])],
        ["range", rng.pick(["bytes=garbage", "bytes=-1", "bytes=5-1"])],
        ["accept-encoding", rng.pick(["br;q=x, gzip", "*", "identity;q=0"])],
        ["x-http-method-override", "DELETE"],
        ["x-forwarded-proto", "https"],
        ["authorization", `Bearer ${rng.text(40, ALNUM)}`],
      ] as const,
    );
    h[name] = value;
  }
  return h;
}
