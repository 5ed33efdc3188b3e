import type { SyntaxNode } from "../../syntax/index.js";

/** A Python version as [major, minor]: the branch of `if sys.version_info >= (3, 12):` that applies. */
export type PythonVersion = readonly [number, number];

/**
 * Evaluates `sys.version_info` comparisons (with not/and/or) for the given version; undefined for anything
 * else (`sys.platform` branches apply on some machine, so both sides count).
 */
export function evaluateCondition(node: SyntaxNode | null, version: PythonVersion): boolean | undefined {
  if (node === null) return undefined;
  if (node.type === "parenthesized_expression")
    return evaluateCondition(node.namedChildren[0] ?? null, version);
  if (node.type === "not_operator") {
    const inner = evaluateCondition(node.childForFieldName("argument"), version);
    return inner === undefined ? undefined : !inner;
  }
  if (node.type === "boolean_operator") {
    const left = evaluateCondition(node.childForFieldName("left"), version);
    const right = evaluateCondition(node.childForFieldName("right"), version);
    if (node.childForFieldName("operator")?.text === "and")
      return left === false || right === false ? false : left === true && right === true ? true : undefined;
    return left === true || right === true ? true : left === false && right === false ? false : undefined;
  }
  const match = /^sys\.version_info\s*(>=|<=|>|<|==|!=)\s*\((\d+),\s*(\d+)\)$/.exec(node.text);
  if (match === null) return undefined;
  const [, operator, major, minor] = match;
  const order = Math.sign(version[0] - Number(major) || version[1] - Number(minor));
  switch (operator) {
    case ">=":
      return order >= 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case "<":
      return order < 0;
    case "==":
      return order === 0;
    default:
      return order !== 0;
  }
}
