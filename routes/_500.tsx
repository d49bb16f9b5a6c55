import { HttpError } from "fresh";
import { StatusPage } from "../lib/web/error_page.tsx";
import { define } from "../utils.ts";

export default define.page(function ServerError({ error }) {
  return (
    <StatusPage status={error instanceof HttpError ? error.status : 500} />
  );
});
