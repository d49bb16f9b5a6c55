import { ErrorPage } from "../components/ErrorPage.tsx";
import { define } from "../utils.ts";

export default define.page(function NotFound() {
  return (
    <ErrorPage
      status={404}
      title="Page not found"
      heading="This page does not exist"
      message="The address may be mistyped, or the page may have moved."
    />
  );
});
