import { strictEqual } from "node:assert/strict";
import { HttpError } from "./error.ts";

Deno.test("HttpError keeps its status and defaults the message to the reason phrase", () => {
  const err = new HttpError(404);
  strictEqual(err.status, 404);
  strictEqual(err.message, "Not Found");
  strictEqual(err instanceof Error, true);
  strictEqual(new HttpError(418, "teapot").message, "teapot");
});
