import { useState } from "preact/hooks";

/** Test island: renders bare `<li>`s, so it lives directly in a `<ul>`. */
export default function List(props: { items: string[] }) {
  const [items, setItems] = useState(props.items);
  // Two items per click: the second is placed relative to the first, which
  // is where a reference node past the island's range could leak in.
  const add = () =>
    setItems([...items, `n${items.length}`, `n${items.length + 1}`]);
  return (
    <>
      <li>
        <button type="button" class="add" onClick={add}>add</button>
      </li>
      {items.map((item) => <li key={item} class="item">{item}</li>)}
    </>
  );
}
