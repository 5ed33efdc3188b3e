import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Coop's output channel ("Coop", a log channel) as the extension host wrote it under the session's
 * user data: logs/<session>/exthost*\/…/Coop.log. Empty until Coop has logged something.
 */
export async function readCoopLog(userDataDir: string): Promise<string> {
  const files = await findFiles(
    join(userDataDir, "logs"),
    (name) => name === "Coop.log" || name.endsWith("-Coop.log"),
  );
  const contents = await Promise.all(files.sort().map((file) => readFile(file, "utf8")));
  return contents.join("");
}

async function findFiles(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findFiles(path, accept)));
    else if (accept(entry.name)) found.push(path);
  }
  return found;
}

/** Polls Coop's log until it matches, and returns the matching line. */
export async function waitForCoopLog(
  read: () => Promise<string>,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<string> {
  const started = Date.now();
  for (;;) {
    const line = (await read()).split("\n").find((candidate) => pattern.test(candidate));
    if (line !== undefined) return line;
    if (Date.now() - started > timeoutMs)
      throw new Error(`Coop's log has no line matching ${pattern} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
