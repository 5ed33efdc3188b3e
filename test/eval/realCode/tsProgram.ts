// One TypeScript program over a workspace on disk plus files that exist only in memory (the suggestions'
// documents), the way the compiler sees them: real typings resolved through the workspace's node_modules.
import { join } from "node:path";
import ts from "typescript";

/** Compiles the workspace's tsconfig.json plus `virtualFiles` (paths relative to `root`). */
export function programWith(root: string, virtualFiles: ReadonlyMap<string, string>): ts.Program {
  const configPath = join(root, "tsconfig.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error !== undefined)
    throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const absolute = new Map([...virtualFiles].map(([path, text]) => [join(root, path), text]));
  const host = ts.createCompilerHost(parsed.options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError) => {
    const text = absolute.get(fileName);
    return text === undefined
      ? getSourceFile(fileName, languageVersion, onError)
      : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => absolute.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => absolute.get(fileName) ?? readFile(fileName);
  return ts.createProgram({
    rootNames: [...parsed.fileNames, ...absolute.keys()],
    options: parsed.options,
    host,
  });
}
