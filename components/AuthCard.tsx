import type { ComponentChildren } from "preact";

/** The centred card around the sign-in and sign-up forms. */
export function AuthCard(
  { title, children }: { title: string; children: ComponentChildren },
) {
  return (
    <section class="mx-auto w-full max-w-sm px-4 py-16">
      <h1 class="text-2xl font-bold">{title}</h1>
      <div class="mt-6">{children}</div>
    </section>
  );
}
