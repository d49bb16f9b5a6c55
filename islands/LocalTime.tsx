import { useEffect, useState } from "preact/hooks";

interface Props {
  /** Unix time in milliseconds. */
  ms: number;
  /** What to show, e.g. "5 minutes ago" (made on the server). */
  text: string;
  /** The exact time in UTC, the title until the browser can say it in local time. */
  utc: string;
}

/**
 * A time shown in words, with the exact time as its title: in UTC from the
 * server (so it is there without JavaScript), then in the reader's own
 * time zone once the browser runs.
 */
export default function LocalTime({ ms, text, utc }: Props) {
  const [title, setTitle] = useState(`${utc} UTC`);
  useEffect(() => {
    setTitle(
      new Date(ms).toLocaleString(undefined, {
        dateStyle: "medium",
        timeStyle: "short",
      }),
    );
  }, [ms]);
  return <time datetime={new Date(ms).toISOString()} title={title}>{text}
  </time>;
}
