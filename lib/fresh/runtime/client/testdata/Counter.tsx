import { useState } from "preact/hooks";

/** Test island: local state seeded from props. */
export default function Counter(props: { start: number }) {
  const [count, setCount] = useState(props.start);
  return (
    <div class="counter">
      <span class="count">{count}</span>
      <button type="button" class="inc" onClick={() => setCount(count + 1)}>
        +
      </button>
    </div>
  );
}
