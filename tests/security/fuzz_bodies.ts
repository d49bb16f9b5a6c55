/**
 * Hostile request bodies for the fuzz: random bytes, broken and deeply
 * nested JSON, huge forms, fields of the wrong type, streams.
 *
 * @module
 */
import type { FuzzContext } from "./fuzz_inputs.ts";
import { ALNUM, PRINTABLE, type Rng } from "./fuzz_rng.ts";

/** A request body and a short label for failure reports. */
export interface FuzzBody {
  label: string;
  body: BodyInit | null;
  /** The content type that would match it. */
  type?: string;
}

function form(fields: [string, string][]): string {
  return new URLSearchParams(fields).toString();
}

function nested(open: string, close: string, depth: number): string {
  return open.repeat(depth) + close.repeat(depth);
}

/** A body for an unsafe method. */
export function fuzzBody(rng: Rng, c: FuzzContext): FuzzBody {
  const JSON_T = "application/json";
  const FORM_T = "application/x-www-form-urlencoded";
  const creds = { email: c.email, password: c.password };
  switch (rng.int(26)) {
    case 0:
      return { label: "none", body: null };
    case 1:
      return { label: "random bytes", body: rng.bytes(rng.int(2048)) };
    case 2: {
      const text = JSON.stringify({ ...creds, extra: "x".repeat(50) });
      return {
        label: "truncated JSON",
        body: text.slice(0, rng.int(text.length)),
        type: JSON_T,
      };
    }
    case 3: {
      // 10k levels is over the body limit (413); 8k levels is parsed.
      const depth = rng.pick([10_000, 8_000]);
      return {
        label: `JSON nested ${depth}`,
        body: nested("[", "]", depth),
        type: JSON_T,
      };
    }
    case 4:
      return {
        label: "JSON nested 2.7k objects",
        body: nested('{"a":', "}", 2_700).replace(/:}/, ":1}"),
        type: JSON_T,
      };
    case 5:
      return {
        label: "JSON unclosed 10k",
        body: "[".repeat(10_000),
        type: JSON_T,
      };
    case 6:
      return {
        label: "JSON non-object",
        body: rng.pick(["[1,2]", '"str"', "42", "-0", "1e999", "null", "true"]),
        type: JSON_T,
      };
    case 7:
      return {
        label: "JSON objects as fields",
        body: JSON.stringify({
          email: rng.pick([{ $gt: "" }, [c.email], null, 1, true]),
          password: rng.pick([{ length: 9 }, ["x"], 123456789, null]),
          action: { toString: "end-others" },
          id: ["x"],
        }),
        type: JSON_T,
      };
    case 8:
      return {
        label: "JSON proto pollution",
        body:
          `{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"email":"${c.email}","password":"x"}`,
        type: JSON_T,
      };
    case 9:
      return {
        label: "form 1000 fields",
        body: form(
          Array.from(
            { length: 1000 },
            (_, i) => [rng.pick(["email", "password", `f${i}`]), `${i}`],
          ),
        ),
        type: FORM_T,
      };
    case 10:
      return {
        label: "form with NUL",
        body: form([
          ["email", `a\u0000b@example.com`],
          ["password", `pass\u0000word\u0000long`],
          ["action", "end\u0000"],
        ]),
        type: FORM_T,
      };
    case 11:
      return {
        label: "form raw invalid",
        body: rng.pick([
          "email=%&password=%ZZ",
          "=&=&&",
          "email=%FF%FE&password=%C0%AF",
          "a".repeat(16_000),
        ]),
        type: FORM_T,
      };
    case 12:
      return {
        label: "too large",
        body: `{"email":"${"x".repeat(20_000)}"}`,
        type: JSON_T,
      };
    case 13:
      return {
        label: "invalid UTF-8",
        body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]),
        type: JSON_T,
      };
    case 14:
      return {
        label: "UTF-16 JSON",
        body: new Uint8Array(
          [...`{"email":"${c.email}"}`].flatMap((ch) => [ch.charCodeAt(0), 0]),
        ),
        type: "application/json; charset=utf-16",
      };
    case 15:
      return {
        label: "BOM JSON",
        body: "\ufeff" + JSON.stringify(creds),
        type: JSON_T,
      };
    case 16:
      return {
        label: "wrong password",
        body: JSON.stringify({
          email: c.email,
          password: "Wrong password 123",
        }),
        type: JSON_T,
      };
    case 17:
      return {
        label: "new account",
        body: form([
          ["email", `fuzz-${rng.text(10, ALNUM).toLowerCase()}@example.com`],
          ["password", c.password],
        ]),
        type: FORM_T,
      };
    case 18:
      return {
        label: "odd email",
        body: JSON.stringify({
          email: rng.pick([
            "a@b",
            "@",
            "a".repeat(300) + "@example.com",
            "ÜNI@exämple.com",
            "a@b.c\r\nBcc: x@y.z",
            " " + c.email.toUpperCase() + " ",
            "<script>@x.y",
          ]),
          password: rng.pick(["", "short", "x".repeat(200), c.password]),
        }),
        type: JSON_T,
      };
    case 19:
      return {
        label: "dashboard action",
        body: form([
          ["action", rng.pick(["end", "end-others", "nope", ""])],
          [
            "id",
            rng.pick([
              c.validSessionId ?? "",
              rng.text(22, ALNUM),
              "' OR 1=1 --",
            ]),
          ],
        ]),
        type: FORM_T,
      };
    case 20:
      return {
        label: "duplicate JSON keys",
        body:
          `{"email":"${c.email}","email":{"a":1},"password":"x","password":"${c.password}"}`,
        type: JSON_T,
      };
    case 21:
      return {
        label: "streamed",
        body: new ReadableStream<Uint8Array>({
          start(ctl) {
            ctl.enqueue(new TextEncoder().encode('{"email":'));
            ctl.enqueue(new TextEncoder().encode(`"${c.email}"}`));
            ctl.close();
          },
        }),
        type: JSON_T,
      };
    case 22:
      return {
        label: "streamed large",
        body: new ReadableStream<Uint8Array>({
          start(ctl) {
            for (let i = 0; i < 24; i++) ctl.enqueue(new Uint8Array(1024));
            ctl.close();
          },
        }),
        type: FORM_T,
      };
    case 23:
      return {
        label: "valid sign-in",
        body: JSON.stringify(creds),
        type: JSON_T,
      };
    case 24:
      return {
        label: "big numbers",
        body: `{"email":1e309,"password":-1e-400,"n":${"9".repeat(5000)}}`,
        type: JSON_T,
      };
    default:
      return {
        label: "random text",
        body: rng.text(rng.int(3000), PRINTABLE),
      };
  }
}
