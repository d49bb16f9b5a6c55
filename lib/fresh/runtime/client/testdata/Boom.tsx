/** Test island that always throws while rendering. */
export default function Boom(): never {
  throw new Error("boom");
}
