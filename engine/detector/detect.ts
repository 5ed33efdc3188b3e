import { isJavaScriptFamily, parse, type LanguageId } from "../syntax/index.js";
import type { Finding } from "./finding.js";
import { javascriptFacts } from "./javascriptFacts.js";
import { lowConfidenceFindings, type TokenConfidence } from "./lowConfidence.js";
import { pythonFacts } from "./pythonFacts.js";
import { SnippetChecker } from "./snippetChecker.js";
import type { DetectorWorkspace } from "./workspace.js";

export interface DetectOptions {
  language: LanguageId;
  workspace: DetectorWorkspace;
  /** The file's text before the snippet (a completion's prefix); its definitions and imports count. */
  prefixContext?: string;
  /** The file's text after the snippet, so the parsed whole is a complete file. */
  suffixContext?: string;
  /** The workspace-relative path of the file the snippet goes into, for relative imports. */
  path?: string;
  /** The model's probability per token of the snippet, for spans no other check can judge. */
  tokenConfidences?: readonly TokenConfidence[];
  /** Tokens below this probability are low confidence (default 0.05). */
  lowConfidenceThreshold?: number;
}

/**
 * Checks a snippet against its surrounding code, the workspace, the installed dependencies and the
 * language's built-ins. Findings are sorted by position; spans are offsets in the snippet.
 */
export async function detect(snippet: string, options: DetectOptions): Promise<Finding[]> {
  const { language } = options;
  if (!isJavaScriptFamily(language) && language !== "python") {
    return options.tokenConfidences === undefined
      ? []
      : lowConfidenceFindings(snippet, options.tokenConfidences, [], options.lowConfidenceThreshold);
  }
  const prefix = options.prefixContext ?? "";
  const tree = await parse(prefix + snippet + (options.suffixContext ?? ""), language);
  const range = { from: prefix.length, to: prefix.length + snippet.length };
  let findings: Finding[];
  let checker: SnippetChecker;
  try {
    const facts =
      language === "python"
        ? pythonFacts(tree.rootNode, range)
        : javascriptFacts(tree.rootNode, language, range);
    checker = new SnippetChecker(facts, options, range.from, range.to);
    // The checks may read local classes from the tree, so they run before it is freed.
    findings = [...checker.checkImports(), ...checker.checkReferences(), ...checker.checkMembers()];
  } finally {
    tree.dispose();
  }
  if (options.tokenConfidences !== undefined) {
    const judged = [...checker.judged, ...findings.map((finding) => finding.span)];
    findings.push(
      ...lowConfidenceFindings(snippet, options.tokenConfidences, judged, options.lowConfidenceThreshold),
    );
  }
  return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
