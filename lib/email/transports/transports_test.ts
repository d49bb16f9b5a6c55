import { composeEmail } from "../compose.ts";
import { parseEmail } from "../eml.ts";
import { type Arrived, transportContract } from "../transport_contract.ts";
import { startSmtp } from "../../../tests/helpers/smtp.ts";
import { captureTransport } from "./capture.ts";
import { outboxTransport } from "./outbox.ts";
import { smtpTransport } from "./smtp.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

transportContract("outbox", {
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "islet-outbox-" });
    const folder = `${dir}/outbox`;
    return {
      transport: outboxTransport(folder),
      async arrived() {
        const out: Arrived[] = [];
        for await (const entry of Deno.readDir(folder)) {
          const raw = await Deno.readFile(`${folder}/${entry.name}`);
          out.push({ ...await parseEmail(raw), raw: decode(raw) });
        }
        return out;
      },
      close: () => Deno.remove(dir, { recursive: true }),
    };
  },
});

transportContract("smtp", {
  async open() {
    const smtp = await startSmtp();
    const transport = smtpTransport(smtp.url);
    return {
      transport,
      arrived: () =>
        Promise.resolve(
          smtp.messages().map((m) => ({
            from: m.from,
            to: m.to,
            subject: m.subject,
            date: undefined,
            text: m.text,
            html: m.html,
            raw: m.raw,
          })),
        ),
      async close() {
        await transport.close();
        await smtp.stop();
      },
    };
  },
});

transportContract("capture", {
  open() {
    const transport = captureTransport();
    return Promise.resolve({
      transport,
      arrived: () =>
        Promise.all(transport.delivered.map(async (m) => {
          const raw = await composeEmail(m);
          return { ...await parseEmail(raw), raw: decode(raw) };
        })),
      close: () => transport.close(),
    });
  },
});
