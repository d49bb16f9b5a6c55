/** The baseline of the benchmark: the smallest possible Deno.serve handler. */
const port = Number(Deno.args[0] ?? 8100);
Deno.serve(
  { hostname: "127.0.0.1", port, onListen() {} },
  () => new Response("Hello, world"),
);
