import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

interface Props {
  /** The codes, shown this once. */
  codes: string[];
}

/** What the downloaded file says above the codes. */
const FILE_HEADER = [
  "Islet recovery codes",
  "",
  "Each code signs you in once, in place of a code from your authenticator app.",
  "Keep this file somewhere safe: anyone holding it and your password can sign in.",
  "",
];

const BUTTON =
  "rounded-md border border-slate-500 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-400 dark:hover:bg-slate-800";

/**
 * The recovery codes, shown once, with what to do with them. With
 * JavaScript it also offers to copy them or download them as a text file
 * (made in the browser: the codes never go into a URL or back to the
 * server); without, the buttons stay hidden and the codes can be copied
 * or printed from the page.
 */
export default function RecoveryCodes({ codes }: Props) {
  const ready = useSignal(false);
  const said = useSignal("");
  // The buttons work only once this runs in the browser.
  useEffect(() => {
    ready.value = true;
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      said.value = "The codes were copied.";
    } catch {
      said.value = "Copying did not work: select the codes and copy them.";
    }
  }

  function download() {
    const file = new Blob([[...FILE_HEADER, ...codes, ""].join("\n")], {
      type: "text/plain;charset=utf-8",
    });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(file);
    link.download = "islet-recovery-codes.txt";
    link.click();
    // The file is saved from the blob once the click is handled.
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
    said.value = "The codes were saved as islet-recovery-codes.txt.";
  }

  return (
    <section
      aria-labelledby="recovery-codes-title"
      class="space-y-3 rounded-lg border border-amber-600 p-4 dark:border-amber-500"
    >
      <h3 id="recovery-codes-title" class="text-lg font-semibold">
        Your recovery codes
      </h3>
      <p class="text-sm">
        <strong>Store these now: they will not be shown again.</strong>{" "}
        If you lose your phone, each code signs you in once in place of a code
        from the app. Keep them somewhere safe, such as a password manager.
      </p>
      <ol
        data-testid="recovery-codes"
        class="grid gap-x-6 gap-y-1 font-mono text-base sm:grid-cols-2"
      >
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="flex flex-wrap gap-3" hidden={!ready.value}>
        <button type="button" class={BUTTON} onClick={copy}>
          Copy the codes
        </button>
        <button type="button" class={BUTTON} onClick={download}>
          Download as text
        </button>
      </div>
      <p role="status" class="text-sm">{said.value}</p>
    </section>
  );
}
