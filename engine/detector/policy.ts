import { isCertain, type Finding } from "./finding.js";
import type { DetectorWorkspace, WorkspaceDefinition } from "./workspace.js";

export type DetectorPolicy = "annotate" | "suppress" | "repair" | "off";

/** What to do with a suggestion: show it (with these findings as annotations), hide it, or regenerate it. */
export interface PolicyDecision {
  action: "show" | "hide" | "regenerate";
  /** The findings to annotate when shown (empty with "off"). */
  annotations: Finding[];
  /** The findings that caused a hide or a regeneration. */
  blocking: Finding[];
}

/**
 * annotate: always show, with every finding. suppress: hide when something certainly does not exist
 * (low confidence alone only annotates). repair: regenerate in that case, else show annotated.
 */
export function applyPolicy(findings: readonly Finding[], policy: DetectorPolicy): PolicyDecision {
  if (policy === "off") return { action: "show", annotations: [], blocking: [] };
  const blocking = findings.filter(isCertain);
  if (policy === "annotate" || blocking.length === 0)
    return { action: "show", annotations: [...findings], blocking: [] };
  return { action: policy === "suppress" ? "hide" : "regenerate", annotations: [...findings], blocking };
}

/** Whether a regenerated snippet may be kept: nothing in it certainly does not exist. */
export function passesDetector(findings: readonly Finding[]): boolean {
  return !findings.some(isCertain);
}

export interface RepairContext {
  /** Workspace definitions nearest the wrong names, to put in the regeneration prompt. */
  definitions: WorkspaceDefinition[];
  /**
   * Existing names the regeneration should be steered toward (suggestions first), e.g. as token bias or a
   * grammar.
   */
  allowedNames: string[];
  /** Wrong names the regeneration should not produce again. */
  forbiddenNames: string[];
  /** The definitions formatted as a prompt preamble (comment-free code, one block per file). */
  promptText: string;
}

const maxDefinitions = 8;

/**
 * The De-Hallucinator context for one regeneration: for each certain finding, the definitions of its
 * suggested names (or of its container for unknown members). Running the regeneration is the
 * completion engine's job; it should keep the result only if passesDetector() holds for it.
 */
export function repairContext(findings: readonly Finding[], workspace: DetectorWorkspace): RepairContext {
  const definitions: WorkspaceDefinition[] = [];
  const seen = new Set<string>();
  const allowed: string[] = [];
  const add = (definition: WorkspaceDefinition): void => {
    const key = `${definition.path}:${definition.startLine}:${definition.name}`;
    if (seen.has(key) || definitions.length >= maxDefinitions) return;
    seen.add(key);
    definitions.push(definition);
  };
  const certain = findings.filter(isCertain);
  for (const finding of certain) {
    allowed.push(...finding.suggestions);
    for (const suggestion of finding.suggestions)
      for (const definition of workspace.definitionsNamed(suggestion)) add(definition);
    if (finding.kind === "unknownMember" && finding.container !== undefined) {
      for (const definition of workspace.definitionsNamed(finding.container)) add(definition);
    }
  }
  for (const definition of definitions) {
    allowed.push(definition.name);
    for (const member of workspace.membersOf(definition.name) ?? []) allowed.push(member);
  }
  return {
    definitions,
    allowedNames: [...new Set(allowed)],
    forbiddenNames: [...new Set(certain.map((finding) => finding.name))],
    promptText: definitions.map((definition) => `// ${definition.path}\n${definition.text}`).join("\n\n"),
  };
}
