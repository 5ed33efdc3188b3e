import { posix } from "node:path";

const javascriptImport = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"'\n]+)["']/g;
const pythonRelativeImport = /^\s*from\s+(\.+)([\w.]*)\s+import\b/gm;

const scriptExtensions = [".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"];
/** TypeScript sources import their siblings by the name they will have once compiled. */
const compiledToSource: Record<string, string[]> = {
  ".js": [".ts", ".tsx", ".d.ts"],
  ".jsx": [".tsx"],
  ".mjs": [".mts", ".d.mts"],
  ".cjs": [".cts", ".d.cts"],
};

/**
 * The workspace files a source imports by relative path (`./x.js`, `../y`, Python's `from .z import`),
 * resolved against `exists`. Package imports are left out: they name no workspace file.
 */
export function relativeImports(
  fromPath: string,
  source: string,
  exists: (path: string) => boolean,
): string[] {
  const found = new Set<string>();
  const directory = posix.dirname(fromPath);
  for (const [, specifier] of source.matchAll(javascriptImport)) {
    const resolved = resolveScript(posix.join(directory, specifier!), exists);
    if (resolved !== undefined) found.add(resolved);
  }
  for (const [, dots, module] of source.matchAll(pythonRelativeImport)) {
    let base = directory;
    for (let level = 1; level < dots!.length; level++) base = posix.dirname(base);
    const target = module ? posix.join(base, ...module.split(".")) : base;
    for (const candidate of [`${target}.py`, `${target}/__init__.py`]) {
      if (exists(candidate)) {
        found.add(candidate);
        break;
      }
    }
  }
  found.delete(fromPath);
  return [...found];
}

function resolveScript(base: string, exists: (path: string) => boolean): string | undefined {
  const extension = posix.extname(base);
  const stem = base.slice(0, base.length - extension.length);
  const candidates = [
    base,
    ...(compiledToSource[extension] ?? []).map((source) => stem + source),
    ...scriptExtensions.map((script) => base + script),
    ...scriptExtensions.map((script) => `${base}/index${script}`),
  ];
  return candidates.find(exists);
}
