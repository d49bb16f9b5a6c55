import { useEffect } from "preact/hooks";

/**
 * Enhances a `<details>` disclosure menu, which works on its own without
 * JavaScript: Escape closes it and returns focus to its button, and a click
 * outside it, or on a link inside it, closes it. Renders nothing.
 */
export default function MenuCloser({ menuId }: { menuId: string }) {
  useEffect(() => {
    const menu = document.getElementById(menuId);
    if (!(menu instanceof HTMLDetailsElement)) return;
    const close = (refocus: boolean) => {
      if (!menu.open) return;
      menu.open = false;
      if (refocus) menu.querySelector("summary")?.focus();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && menu.open) {
        e.preventDefault();
        close(menu.contains(document.activeElement));
      }
    };
    const onClick = (e: MouseEvent) => {
      const target = e.target as Node | null;
      if (target === null || !menu.contains(target)) close(false);
      // A link to a section of the same page would leave the menu over it.
      else if ((target as Element).closest?.("a")) close(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("click", onClick);
    };
  }, [menuId]);
  return null;
}
