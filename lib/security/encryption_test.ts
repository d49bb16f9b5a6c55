import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import fc from "fast-check";
import {
  createSecretBox,
  KEY_BYTES,
  keyId,
  newKeyText,
  parseKey,
} from "./encryption.ts";

const key = () => crypto.getRandomValues(new Uint8Array(KEY_BYTES));
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("a sealed secret opens with the same key and context, and only as sealed", async () => {
  const box = await createSecretBox(key());
  const plain = crypto.getRandomValues(new Uint8Array(20));
  const sealed = await box.seal(plain, "user-1");
  const parts = sealed.split(".");
  strictEqual(parts.length, 4);
  strictEqual(parts[0], "v1");
  strictEqual(parts[1].length, 8, "the key id");
  strictEqual(parts[2].length, 16, "96-bit IV, base64url");
  const opened = await box.open(sealed, "user-1");
  deepStrictEqual(opened, { plain, stale: false });
  // An empty secret is still a secret.
  const empty = await box.seal(new Uint8Array(0), "user-1");
  deepStrictEqual(await box.open(empty, "user-1"), {
    plain: new Uint8Array(0),
    stale: false,
  });
});

Deno.test("another context, a changed character or another key: null", async () => {
  const k = key();
  const box = await createSecretBox(k);
  const sealed = await box.seal(bytes("JBSWY3DPEHPK3PXP"), "user-1");
  strictEqual(await box.open(sealed, "user-2"), null, "another account");
  strictEqual(await box.open(sealed, ""), null);
  const other = await createSecretBox(key());
  strictEqual(await other.open(sealed, "user-1"), null, "unknown key");
  // The key id of another known key: that key's tag check fails.
  const k2 = key();
  const both = await createSecretBox(k2, [k]);
  const parts = sealed.split(".");
  parts[1] = await keyId(k2);
  strictEqual(await both.open(parts.join("."), "user-1"), null);
  // Every single-character change of the text fails to open.
  const alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  for (let i = 0; i < sealed.length; i++) {
    for (const c of [alphabet[(alphabet.indexOf(sealed[i]) + 1) % 65], "="]) {
      const changed = sealed.slice(0, i) + c + sealed.slice(i + 1);
      strictEqual(await box.open(changed, "user-1"), null, `at ${i}: ${c}`);
    }
  }
  strictEqual(await box.open(sealed + "A", "user-1"), null);
  strictEqual(await box.open(sealed.slice(0, -1), "user-1"), null);
});

Deno.test("opening never throws: arbitrary text, and arbitrary edits of a sealed value, are null", async () => {
  const box = await createSecretBox(key());
  const sealed = await box.seal(bytes("secret"), "ctx");
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: "binary", maxLength: 200 }),
      async (s) => {
        strictEqual(await box.open(s, "ctx"), null);
        strictEqual(await box.open(`v1.${s}`, "ctx"), null);
      },
    ),
    { numRuns: 300 },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: sealed.length - 1 }),
      fc.nat({ max: sealed.length }),
      fc.string({ unit: "grapheme-ascii", maxLength: 8 }),
      async (from, length, insert) => {
        const to = Math.min(sealed.length, from + length);
        const edited = sealed.slice(0, from) + insert + sealed.slice(to);
        const opened = await box.open(edited, "ctx");
        if (edited === sealed) strictEqual(opened?.stale, false);
        else strictEqual(opened, null, edited);
      },
    ),
    { numRuns: 300 },
  );
  // Not even given what is not a string.
  strictEqual(await box.open(null as unknown as string, "ctx"), null);
  strictEqual(await box.open("v1.a.b.c".repeat(5000), "ctx"), null);
});

Deno.test("a previous key still opens what it sealed, reported stale; the current one seals", async () => {
  const old = key();
  const current = key();
  const before = await createSecretBox(old);
  const sealedOld = await before.seal(bytes("totp"), "u");
  const after = await createSecretBox(current, [old]);
  const opened = await after.open(sealedOld, "u");
  deepStrictEqual(opened, { plain: bytes("totp"), stale: true });
  const resealed = await after.seal(opened!.plain, "u");
  strictEqual(resealed.split(".")[1], await keyId(current));
  deepStrictEqual(await after.open(resealed, "u"), {
    plain: bytes("totp"),
    stale: false,
  });
  // Without the old key configured, the old value is unreadable.
  strictEqual(
    await (await createSecretBox(current)).open(sealedOld, "u"),
    null,
  );
  // The current key listed again as previous stays current.
  const same = await createSecretBox(current, [current, old]);
  strictEqual((await same.open(resealed, "u"))?.stale, false);
});

Deno.test("IVs never repeat: 2000 seals of the same secret are 2000 different texts", async () => {
  const box = await createSecretBox(key());
  const ivs = new Set<string>();
  const texts = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const sealed = await box.seal(bytes("same"), "same");
    texts.add(sealed);
    ivs.add(sealed.split(".")[2]);
  }
  strictEqual(ivs.size, 2000);
  strictEqual(texts.size, 2000);
});

Deno.test("keys must be 32 bytes; their text is base64 of 32 bytes", async () => {
  await rejects(() => createSecretBox(new Uint8Array(16)), TypeError);
  await rejects(() => createSecretBox(key(), [new Uint8Array(31)]), TypeError);
  const text = newKeyText();
  strictEqual(text.length, 44);
  strictEqual(parseKey(text)?.length, 32);
  strictEqual(parseKey(` ${text}\n`)?.length, 32, "trimmed");
  // URL-safe spelling, with or without padding.
  const urlSafe = text.replaceAll("+", "-").replaceAll("/", "_");
  deepStrictEqual(parseKey(urlSafe.replace(/=$/, "")), parseKey(text));
  strictEqual(parseKey(btoa("x".repeat(16))), null, "16 bytes");
  strictEqual(parseKey(btoa("x".repeat(33))), null, "33 bytes");
  strictEqual(parseKey("not base64 at all!"), null);
  strictEqual(parseKey(""), null);
  ok(newKeyText() !== text);
});
