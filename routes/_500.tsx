import { StatusPage } from "../lib/web/error_page.tsx";
import { define } from "../utils.ts";

export default define.page(function ServerError({ error }) {
  return <StatusPage error={error} />;
});
