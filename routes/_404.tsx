import { HttpError } from "fresh";
import { StatusPage } from "../lib/web/error_page.tsx";
import { define } from "../utils.ts";

export default define.page(function NotFound() {
  return <StatusPage error={new HttpError(404)} />;
});
