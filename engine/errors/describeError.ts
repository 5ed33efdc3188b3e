/**
 * The one way to turn anything thrown into a message for a log line or the user: an Error's message, a
 * string as it is, and anything else as String() gives it (or its type when even that throws).
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return String(error);
  } catch {
    return `a thrown ${typeof error}`;
  }
}
