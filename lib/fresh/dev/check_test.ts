import assert from "node:assert/strict";
import * as path from "node:path";
import { checkCompilerOptions, REQUIRED_SKIP_ELEMENTS } from "./check.ts";

async function withConfig(
  name: string,
  text: string,
  fn: (root: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "islet-check-" });
  try {
    await Deno.writeTextFile(path.join(dir, name), text);
    await Deno.mkdir(path.join(dir, "app"));
    await fn(path.join(dir, "app"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const config = (compilerOptions: unknown) =>
  JSON.stringify({ compilerOptions });

Deno.test("checkCompilerOptions: precompile without the elements the renderer needs is refused", async () => {
  for (
    const skip of [
      undefined,
      ["script", "title", "meta", "link", "style", "base"],
      REQUIRED_SKIP_ELEMENTS.filter((el) => el !== "a"),
    ]
  ) {
    await withConfig(
      "deno.json",
      config({ jsx: "precompile", jsxPrecompileSkipElements: skip }),
      async (root) => {
        await assert.rejects(
          () => checkCompilerOptions(root),
          /jsxPrecompileSkipElements to contain "a", "img", "source", "body", "html", "head"/,
          JSON.stringify(skip),
        );
      },
    );
  }
});

Deno.test("checkCompilerOptions: the required list, or a longer one, or no precompile passes", async () => {
  const cases = [
    { jsx: "precompile", jsxPrecompileSkipElements: REQUIRED_SKIP_ELEMENTS },
    {
      jsx: "precompile",
      jsxPrecompileSkipElements: [...REQUIRED_SKIP_ELEMENTS, "script", "meta"],
    },
    { jsx: "react-jsx" },
    undefined,
  ];
  for (const options of cases) {
    await withConfig("deno.json", config(options), async (root) => {
      await checkCompilerOptions(root);
    });
  }
});

Deno.test("checkCompilerOptions: reads deno.jsonc too", async () => {
  await withConfig(
    "deno.jsonc",
    '{\n  // comment\n  "compilerOptions": { "jsx": "precompile", "jsxPrecompileSkipElements": ["a"], },\n}\n',
    async (root) => {
      await assert.rejects(() => checkCompilerOptions(root), /to contain/);
    },
  );
});

Deno.test("checkCompilerOptions: this repository's deno.json passes", async () => {
  await checkCompilerOptions(Deno.cwd());
});
