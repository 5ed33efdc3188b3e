import * as vscode from "vscode";
import type { CompletionCheck } from "../../engine/host/contract/index.js";

type Finding = CompletionCheck["findings"][number];

/** A language server that has not answered by then is not waited for: the ghost text must not lag. */
const answerWithinMs = 400;

/**
 * Asks the editor's language servers about the detector's findings and drops the ones they refute:
 * a name the workspace symbol provider knows, or that resolves to a definition where the document
 * already uses it, exists after all (the detector's index can lag behind, or miss generated code).
 * Without a language server, or when it is slow, the findings stand.
 */
export async function withLanguageServerOpinion(
  check: CompletionCheck,
  document: vscode.TextDocument,
  beforeOffset: number,
  log: vscode.LogOutputChannel,
): Promise<CompletionCheck> {
  if (check.repaired || check.findings.length === 0) return check;
  const verdicts = await Promise.all(
    check.findings.map((finding) =>
      withTimeout(languageServerKnows(finding, document, beforeOffset), answerWithinMs, false),
    ),
  );
  const standing = check.findings.filter((_, index) => !verdicts[index]);
  if (standing.length === check.findings.length) return check;
  for (const [index, finding] of check.findings.entries()) {
    if (verdicts[index])
      log.info(`The language server knows ${finding.name}; the detector's finding is dropped.`);
  }
  return { ...check, findings: standing, action: standing.length === 0 ? "show" : check.action };
}

async function languageServerKnows(
  finding: Finding,
  document: vscode.TextDocument,
  beforeOffset: number,
): Promise<boolean> {
  if (finding.kind === "unknownPackage" || finding.kind === "lowConfidence") return false;
  const name = finding.name.split(".").pop() ?? finding.name;
  if (await definedWhereUsed(name, document, beforeOffset)) return true;
  const symbols = await vscode.commands.executeCommand<vscode.SymbolInformation[] | undefined>(
    "vscode.executeWorkspaceSymbolProvider",
    name,
  );
  return (symbols ?? []).some((symbol) => symbol.name === name || symbol.name.startsWith(`${name}(`));
}

/**
 * The name already appears in the document before the cursor and the definition provider resolves it there.
 */
async function definedWhereUsed(
  name: string,
  document: vscode.TextDocument,
  beforeOffset: number,
): Promise<boolean> {
  const text = document.getText().slice(0, beforeOffset);
  const pattern = new RegExp(`(?<![\\w$])${name.replace(/[$]/g, "\\$")}(?![\\w$])`, "g");
  let last: number | undefined;
  for (const match of text.matchAll(pattern)) last = match.index;
  if (last === undefined || !/^[\w$]+$/.test(name)) return false;
  const locations = await vscode.commands.executeCommand<
    (vscode.Location | vscode.LocationLink)[] | undefined
  >("vscode.executeDefinitionProvider", document.uri, document.positionAt(last));
  return (locations ?? []).length > 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
