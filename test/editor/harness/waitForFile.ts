import { readFile } from "node:fs/promises";

/** Polls a file until its text passes `accept` (the editor saved it), and returns that text. */
export async function waitForFile(
  path: string,
  accept: (text: string) => boolean,
  timeoutMs = 20_000,
): Promise<string> {
  const started = Date.now();
  for (;;) {
    const text = await readFile(path, "utf8").catch(() => "");
    if (accept(text)) return text;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${path} never reached the expected content within ${timeoutMs / 1000} s; it ends with ${JSON.stringify(text.slice(-200))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
