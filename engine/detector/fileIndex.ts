import {
  definitionsOfTree,
  isJavaScriptFamily,
  parse,
  type LanguageId,
  type SyntaxNode,
} from "../syntax/index.js";
import { classBases } from "./classBases.js";
import type { WorkspaceDefinition } from "./workspace.js";

/** What the workspace keeps of one file. */
export interface IndexedFile {
  path: string;
  language: LanguageId;
  definitions: WorkspaceDefinition[];
  bases: Map<string, string[]>;
  /** Names the module exports; undefined when not knowable (`export *`, CommonJS, `import *`). */
  exports: Set<string> | undefined;
}

const maxDefinitionLines = 60;

/** Parses a file once and keeps its definitions (with their text), class bases and exports. */
export async function indexFile(path: string, text: string, language: LanguageId): Promise<IndexedFile> {
  const tree = await parse(text, language);
  try {
    const lines = text.split("\n");
    const definitions = definitionsOfTree(tree.rootNode, language).map((definition) => ({
      ...definition,
      path,
      text: lines
        .slice(
          definition.startLine,
          Math.min(definition.endLine + 1, definition.startLine + maxDefinitionLines),
        )
        .join("\n"),
    }));
    const exports = isJavaScriptFamily(language)
      ? javascriptExports(tree.rootNode, definitions)
      : language === "python"
        ? pythonExports(tree.rootNode, definitions)
        : undefined;
    return { path, language, definitions, bases: classBases(tree.rootNode, language), exports };
  } finally {
    tree.dispose();
  }
}

function javascriptExports(root: SyntaxNode, definitions: WorkspaceDefinition[]): Set<string> | undefined {
  const exports = new Set(
    definitions.filter((d) => d.exported && d.container === undefined).map((d) => d.name),
  );
  let esm = false;
  for (const statement of root.namedChildren) {
    if (statement.type !== "export_statement") continue;
    esm = true;
    const text = statement.text;
    if (/^export\s+default\b/.test(text)) exports.add("default");
    if (/^export\s*=/.test(text)) return undefined;
    const clause = statement.namedChildren.find((child) => child.type === "export_clause");
    const namespace = statement.namedChildren.find((child) => child.type === "namespace_export");
    if (clause !== undefined) {
      for (const specifier of clause.namedChildren) {
        const exported = specifier.childForFieldName("alias") ?? specifier.childForFieldName("name");
        if (exported !== null) exports.add(exported.text);
      }
    } else if (namespace !== undefined) {
      const name = namespace.namedChildren[0];
      if (name !== undefined) exports.add(name.text);
    } else if (statement.childForFieldName("source") !== null) {
      return undefined; // export * from "...": the names live in another module.
    }
  }
  if (!esm && /\b(module\.exports|exports\.[A-Za-z_$])/.test(root.text)) return undefined;
  return exports;
}

function pythonExports(root: SyntaxNode, definitions: WorkspaceDefinition[]): Set<string> | undefined {
  const exports = new Set(definitions.filter((d) => d.container === undefined).map((d) => d.name));
  for (const statement of root.namedChildren) {
    if (statement.type === "import_statement") {
      for (const item of statement.namedChildren) {
        const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
        exports.add(alias?.text ?? item.text.split(".")[0]!);
      }
    } else if (statement.type === "import_from_statement") {
      const moduleName = statement.childForFieldName("module_name");
      for (const item of statement.namedChildren) {
        if (item.type === "wildcard_import") return undefined;
        if (moduleName !== null && item.startIndex === moduleName.startIndex) continue;
        const alias = item.type === "aliased_import" ? item.childForFieldName("alias") : null;
        const name = item.type === "aliased_import" ? item.childForFieldName("name") : item;
        if (name !== null) exports.add((alias ?? name).text);
      }
    }
  }
  return exports;
}
