import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * A VS Code settings.json (the user's or a workspace's), edited on disk: the editor watches these
 * files and applies a change without a reload, as if the user had edited them. The files the
 * harness writes hold plain JSON (no comments), so they are read back with JSON.parse.
 */
export class SettingsFile {
  constructor(readonly path: string) {}

  async read(): Promise<Record<string, unknown>> {
    try {
      return JSON.parse(await readFile(this.path, "utf8")) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
  }

  async write(settings: Record<string, unknown>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, JSON.stringify(settings, null, 2) + "\n");
  }

  /**
   * Sets the given settings (undefined removes one) and returns a function that puts back the values
   * they had before, for a scenario's `finally`.
   */
  async update(changes: Record<string, unknown>): Promise<() => Promise<void>> {
    const before = await this.read();
    await this.write(applyChanges(before, changes));
    const previous = Object.fromEntries(Object.keys(changes).map((key) => [key, before[key]]));
    return async () => this.write(applyChanges(await this.read(), previous));
  }
}

function applyChanges(
  settings: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const next = { ...settings };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}
