import type { Signal } from "@preact/signals";

/** Test island: renders and increments a signal it may share with others. */
export default function Shared(props: { value: Signal<number> }) {
  return (
    <button
      type="button"
      class="shared"
      onClick={() => props.value.value++}
    >
      {props.value}
    </button>
  );
}
