/**
 * A bug in the lab must neither print over the dashboard nor kill the lab
 * Worker: an uncaught error or unhandled rejection in the Worker is caught
 * here and posted to the UI as a `lab-error` message, and the lab keeps
 * serving. `worker.ts` installs it on the Worker's global scope.
 */
import type { LabMessage } from "./protocol.ts";
import { errorMessage } from "../util/error_message.ts";

/** Reports every uncaught error and unhandled rejection on `scope` through `post`. */
export function reportCrashes(scope: EventTarget, post: (message: LabMessage) => void): void {
  scope.addEventListener("error", (event) => {
    const error = event as ErrorEvent;
    error.preventDefault();
    post({ type: "lab-error", message: errorMessage(error.error ?? error.message) });
  });
  scope.addEventListener("unhandledrejection", (event) => {
    const rejection = event as PromiseRejectionEvent;
    rejection.preventDefault();
    post({ type: "lab-error", message: errorMessage(rejection.reason) });
  });
}
