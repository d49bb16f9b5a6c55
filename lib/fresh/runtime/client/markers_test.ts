import assert from "node:assert/strict";
import { parseMarker } from "./markers.ts";

Deno.test("parseMarker reads island markers", () => {
  assert.deepEqual(parseMarker("frsh:island:Counter:0:"), {
    kind: "island",
    name: "Counter",
    index: 0,
    key: "",
  });
  assert.deepEqual(parseMarker("frsh:island:My_Island2:12:row-3"), {
    kind: "island",
    name: "My_Island2",
    index: 12,
    key: "row-3",
  });
});

Deno.test("parseMarker keeps colons and spaces in keys", () => {
  assert.deepEqual(parseMarker("frsh:island:A:1:a:b c"), {
    kind: "island",
    name: "A",
    index: 1,
    key: "a:b c",
  });
});

Deno.test("parseMarker reads slot and end markers", () => {
  assert.deepEqual(parseMarker("frsh:slot:7"), { kind: "slot", id: 7 });
  assert.deepEqual(parseMarker("/frsh:island"), { kind: "end", of: "island" });
  assert.deepEqual(parseMarker("/frsh:slot"), { kind: "end", of: "slot" });
});

Deno.test("parseMarker ignores other comments", () => {
  for (
    const data of [
      "",
      " a user comment ",
      "frsh:island:Counter:0", // no key separator
      "frsh:island:Bad-Name:0:",
      "frsh:island:Counter:x:",
      "frsh:slot:",
      "frsh:slot:1:2",
      "/frsh:island ",
      " frsh:slot:1",
      "$s",
    ]
  ) {
    assert.equal(parseMarker(data), null, data);
  }
});
