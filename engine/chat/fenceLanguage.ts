import { languageForPath, languageForVsCodeId, type LanguageId } from "../syntax/index.js";

/** Fence tags models write that are neither a VS Code language id nor a file extension. */
const fenceAliases: Record<string, LanguageId> = {
  "c++": "cpp",
  "c#": "c-sharp",
  python3: "python",
  py3: "python",
  node: "javascript",
  nodejs: "javascript",
  golang: "go",
  shell: "bash",
  zsh: "bash",
  typescriptreact: "tsx",
};

/** The syntax layer's language for a code fence's tag (ts, typescript, py, c++, …), or undefined. */
export function languageForFence(tag: string | undefined): LanguageId | undefined {
  if (tag === undefined) return undefined;
  const name = tag.trim().toLowerCase();
  if (name === "" || !/^[a-z0-9+#._-]+$/.test(name)) return undefined;
  return fenceAliases[name] ?? languageForVsCodeId(name) ?? languageForPath(`snippet.${name}`);
}
