import { HttpError } from "fresh";
import { ErrorPage } from "../components/ErrorPage.tsx";
import { define } from "../utils.ts";

export default define.page(function ServerError({ error }) {
  const status = error instanceof HttpError ? error.status : 500;
  return status >= 500
    ? (
      <ErrorPage
        status={status}
        title="Something went wrong"
        message="The error has been logged. Please try again in a moment."
      />
    )
    : (
      <ErrorPage
        status={status}
        title="This request could not be completed"
        message="Please check what you sent and try again."
      />
    );
});
