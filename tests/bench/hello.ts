/** The baseline of the benchmark: the smallest possible Deno.serve handler. */
const port = Number(Deno.args[0] ?? 8100);
Deno.serve(
  {
    hostname: "127.0.0.1",
    port,
    // Its own words that it bound the port, as `deno serve` says them: the
    // bench waits for them (another process may have taken the port).
    onListen() {
      console.error(`Listening on http://127.0.0.1:${port}/`);
    },
  },
  () => new Response("Hello, world"),
);
