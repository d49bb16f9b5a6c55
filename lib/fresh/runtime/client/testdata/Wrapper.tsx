import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";

/**
 * Test island: renders its `children` and optional `footer` slots and can
 * re-render itself.
 */
export default function Wrapper(
  props: {
    title: string;
    children?: ComponentChildren;
    footer?: ComponentChildren;
  },
) {
  const [clicks, setClicks] = useState(0);
  return (
    <section class="wrapper">
      <h2 class="title" onClick={() => setClicks(clicks + 1)}>
        {`${props.title}: ${clicks}`}
      </h2>
      <div class="body">{props.children}</div>
      {props.footer && <footer>{props.footer}</footer>}
    </section>
  );
}
