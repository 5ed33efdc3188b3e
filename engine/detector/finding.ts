export type FindingKind = "unknownSymbol" | "unknownMember" | "unknownPackage" | "lowConfidence";

/** Offsets into the snippet (UTF-16 code units, end exclusive). */
export interface Span {
  start: number;
  end: number;
}

/** Something the snippet uses that the detector could not find, with why and what exists nearby. */
export interface Finding {
  kind: FindingKind;
  span: Span;
  /** The name as written: an identifier, a member, or a module specifier. */
  name: string;
  /** For unknownMember: the receiver whose members were checked (a module, class or built-in). */
  container?: string;
  evidence: string;
  /** Existing names nearest the wrong one, best first. */
  suggestions: string[];
}

/** The findings that say something does not exist (lowConfidence only says the model was unsure). */
export function isCertain(finding: Finding): boolean {
  return finding.kind !== "lowConfidence";
}
