import {
  deepStrictEqual,
  rejects,
  strictEqual,
  throws,
} from "node:assert/strict";
import { asBodyError, BodyError, readInput } from "./body.ts";

const post = (body: BodyInit, type: string) =>
  new Request("http://localhost/", {
    method: "POST",
    body,
    headers: { "content-type": type },
  });

Deno.test("readInput reads JSON and form bodies to string records", async () => {
  deepStrictEqual(
    await readInput(post('{"email":"a@b.c","n":5,"o":{}}', "application/json")),
    { email: "a@b.c" },
  );
  deepStrictEqual(
    await readInput(
      post(
        "email=a%40b.c&password=x&email=second",
        "application/x-www-form-urlencoded; charset=UTF-8",
      ),
    ),
    { email: "a@b.c", password: "x" },
  );
});

Deno.test("readInput refuses bad input with the right status", async () => {
  const status = (s: number) => (err: unknown) =>
    err instanceof BodyError && err.status === s;
  await rejects(readInput(post("{", "application/json")), status(400));
  await rejects(readInput(post("[1]", "application/json")), status(400));
  await rejects(readInput(post("null", "application/json")), status(400));
  await rejects(readInput(post("x", "text/plain")), status(415));
  await rejects(
    readInput(new Request("http://localhost/", { method: "POST", body: "{}" })),
    status(415),
  );
  await rejects(
    readInput(
      post("a=" + "x".repeat(20_000), "application/x-www-form-urlencoded"),
    ),
    status(413),
  );
  await rejects(
    readInput(post(new Uint8Array([0x7b, 0xff, 0x7d]), "application/json")),
    status(400),
  );
});

Deno.test("asBodyError hands BodyErrors back and rethrows anything else", () => {
  const bad = new BodyError(413, "Request body too large");
  strictEqual(asBodyError(bad), bad);
  const bug = new RangeError("bug");
  throws(() => asBodyError(bug), (err) => err === bug);
});
