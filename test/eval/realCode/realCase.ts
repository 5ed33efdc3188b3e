import type { LabelKind } from "../evalSet.js";

export type RealLanguage = "typescript" | "javascript" | "python";

/** What a label says does not exist: the finding kind and the name as written. */
export interface RealLabel {
  kind: LabelKind;
  name: string;
}

/**
 * One suggestion on code this project did not write: the snippet goes between `prefix` and `suffix` in
 * the file at `path` (not on disk: the editor's document) of the named workspace. `expected` is what the
 * generator meant (empty for a correct usage); `labels` is what the compiler or interpreter says, and a
 * case is kept only when both agree.
 */
export interface RealCase {
  id: string;
  language: RealLanguage;
  workspace: string;
  path: string;
  prefix: string;
  snippet: string;
  suffix: string;
  /** The family the case was generated from, e.g. "member:z.string()" or "correct:exportStarAs". */
  family: string;
  expected: RealLabel[];
}

/** A case whose oracle label disagreed with its generation, kept out of the set and counted. */
export interface DroppedCase {
  id: string;
  family: string;
  expected: RealLabel[];
  labels: RealLabel[];
}

export function sameLabels(a: readonly RealLabel[], b: readonly RealLabel[]): boolean {
  const key = (label: RealLabel): string => `${label.kind}:${label.name}`;
  const left = new Set(a.map(key));
  const right = new Set(b.map(key));
  return left.size === right.size && [...left].every((item) => right.has(item));
}
