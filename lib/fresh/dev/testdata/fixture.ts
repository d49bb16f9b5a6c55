/**
 * A small Fresh project for the Builder's tests, written to a fresh folder
 * below `tests/.tmp/` (gitignored). It lives inside the repository so that
 * its imports (`preact`, `@preact/signals`, `fresh/runtime`) resolve
 * through the repository's deno.json and node_modules, as an app's would.
 *
 * @module
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT: string = fileURLToPath(
  new URL("../../../../", import.meta.url),
).replace(/\/$/, "");

/** The default fixture: two islands, a local island, a page, Tailwind. */
export const FIXTURE_FILES: Record<string, string> = {
  "main.ts": `import { App } from "../../../lib/fresh/app.ts";
import { staticFiles } from "../../../lib/fresh/middlewares/static_files.ts";
export const app = new App().use(staticFiles()).fsRoutes();
`,
  "routes/index.tsx": `import Counter, { Named } from "../islands/Counter.tsx";
import Other from "../islands/Other.tsx";
import Local from "./(_islands)/Local.tsx";
export default function Home() {
  return (
    <main class="bg-emerald-700">
      <Counter start={3} />
      <Named />
      <Other />
      <Local />
    </main>
  );
}
`,
  "routes/api/ping.ts": `export const handler = () => new Response("pong");
`,
  "routes/(_islands)/Local.tsx": `import { useState } from "preact/hooks";
export default function Local() {
  const [on, setOn] = useState(false);
  return <button type="button" onClick={() => setOn(!on)}>{on ? "on" : "off"}</button>;
}
`,
  "routes/(_private)/helper.ts": `export const x = 1;
`,
  "routes/index_test.ts": `export const notARoute = true;
`,
  "islands/Counter.tsx": `import { useSignal } from "@preact/signals";
import { IS_BROWSER } from "fresh/runtime";
export default function Counter(props: { start: number }) {
  const count = useSignal(props.start);
  return (
    <button type="button" class="text-lime-600" onClick={() => count.value++}>
      {count} {IS_BROWSER ? "browser" : "server"}
    </button>
  );
}
export function Named() {
  return <p class="underline">named</p>;
}
export const notAComponent = 42;
`,
  "islands/Other.tsx": `import { useState } from "preact/hooks";
export default function Other() {
  const [n, setN] = useState(0);
  return <span onClick={() => setN(n + 1)}>{n}</span>;
}
`,
  "islands/Other.test.tsx": `export const notAnIsland = true;
`,
  "static/styles.css": `@import "tailwindcss";
.custom { color: rebeccapurple; }
`,
  "static/robots.txt": "User-agent: *\nAllow: /\n",
  "static/sub/a b.txt": "spaced\n",
};

/** A fixture on disk. */
export interface Fixture {
  root: string;
  /** Deletes the fixture folder. */
  cleanup(): Promise<void>;
}

/**
 * Writes a fixture project (the default files, changed by `overrides`; a
 * `null` value removes a file) and returns its root.
 *
 * @example
 * ```ts
 * import { Builder } from "../builder.ts";
 * const fx = await makeFixture({ "static/x.txt": "x" });
 * try { await new Builder({ root: fx.root }).build(); } finally { await fx.cleanup(); }
 * ```
 */
export async function makeFixture(
  overrides: Record<string, string | null> = {},
): Promise<Fixture> {
  const root = path.join(
    REPO_ROOT,
    "tests",
    ".tmp",
    `fixture-${crypto.randomUUID().slice(0, 8)}`,
  );
  const files = { ...FIXTURE_FILES, ...overrides };
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) continue;
    const file = path.join(root, ...rel.split("/"));
    await Deno.mkdir(path.dirname(file), { recursive: true });
    await Deno.writeTextFile(file, text);
  }
  return {
    root,
    cleanup: () => Deno.remove(root, { recursive: true }),
  };
}
