/** The languages Coop parses with tree-sitter (one grammar each from @vscode/tree-sitter-wasm). */
export type LanguageId =
  | "typescript"
  | "tsx"
  | "javascript"
  | "python"
  | "go"
  | "rust"
  | "java"
  | "cpp"
  | "c-sharp"
  | "ruby"
  | "php"
  | "bash"
  | "css";

export const languageIds: readonly LanguageId[] = [
  "typescript",
  "tsx",
  "javascript",
  "python",
  "go",
  "rust",
  "java",
  "cpp",
  "c-sharp",
  "ruby",
  "php",
  "bash",
  "css",
];

const byExtension: Record<string, LanguageId> = {
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "tsx",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascript",
  py: "python",
  pyi: "python",
  go: "go",
  rs: "rust",
  java: "java",
  // The C++ grammar is a superset good enough for C headers and sources.
  c: "cpp",
  h: "cpp",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  hh: "cpp",
  hxx: "cpp",
  cs: "c-sharp",
  rb: "ruby",
  php: "php",
  sh: "bash",
  bash: "bash",
  css: "css",
};

const byVsCodeId: Record<string, LanguageId> = {
  typescript: "typescript",
  typescriptreact: "tsx",
  javascript: "javascript",
  javascriptreact: "javascript",
  python: "python",
  go: "go",
  rust: "rust",
  java: "java",
  c: "cpp",
  cpp: "cpp",
  csharp: "c-sharp",
  ruby: "ruby",
  php: "php",
  shellscript: "bash",
  css: "css",
};

/** The language of a file by its extension, or undefined when no grammar fits. */
export function languageForPath(path: string): LanguageId | undefined {
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  if (base.endsWith(".d.ts")) return "typescript";
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return undefined;
  return byExtension[base.slice(dot + 1).toLowerCase()];
}

/** The language for a VS Code language id ("typescriptreact" is "tsx"), or undefined. */
export function languageForVsCodeId(id: string): LanguageId | undefined {
  return byVsCodeId[id];
}

/** Whether the language is one of the JavaScript family (same grammar shapes). */
export function isJavaScriptFamily(language: LanguageId): boolean {
  return language === "typescript" || language === "tsx" || language === "javascript";
}
