import { deepStrictEqual } from "node:assert/strict";
import { readCappedText } from "./read_capped.ts";

function chunked(...parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
}

Deno.test("readCappedText: the whole text up to the cap, across chunks and a character split between them", async () => {
  const bytes = new TextEncoder().encode("héllo");
  deepStrictEqual(
    await readCappedText(chunked(bytes.slice(0, 2), bytes.slice(2)), 6),
    { ok: true, text: "héllo" },
  );
  deepStrictEqual(await readCappedText(null, 0), { ok: true, text: "" });
});

Deno.test("readCappedText: one byte over the cap is too large, and the stream is cancelled", async () => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(new Uint8Array(4));
    },
    cancel() {
      cancelled = true;
    },
  });
  deepStrictEqual(await readCappedText(stream, 7), {
    ok: false,
    reason: "too_large",
  });
  deepStrictEqual(cancelled, true);
});

Deno.test("readCappedText: bytes that are not UTF-8 say so", async () => {
  deepStrictEqual(
    await readCappedText(chunked(new Uint8Array([0x66, 0xff])), 10),
    { ok: false, reason: "not_utf8" },
  );
});
