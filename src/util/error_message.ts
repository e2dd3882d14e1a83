/**
 * The one place that turns a thrown value into text for a person: an Error's
 * message, anything else as `String()` would show it. Thrown values are
 * `unknown` in TypeScript, so every catch that reports needs this.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
