import { readFileSync } from "node:fs";
import ts from "typescript";

export interface OverlongLine {
  file: string;
  line: number;
  length: number;
  text: string;
}

const literalKinds = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
]);

/**
 * Lines of a TypeScript or JavaScript file longer than `width`, except those the formatter cannot
 * break: lines that hold part of a string, template or regular expression literal, or a URL.
 */
export function overlongLines(
  file: string,
  width: number,
  text = readFileSync(file, "utf8"),
): OverlongLine[] {
  const lines = text.split("\n");
  const lineStarts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    lineStarts.push(offset);
    offset += line.length + 1;
  }
  const lineOf = (position: number): number => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= position) low = mid;
      else high = mid - 1;
    }
    return low;
  };

  const excused = new Set<number>();
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (literalKinds.has(node.kind) || ts.isTemplateExpression(node)) {
      const first = lineOf(node.getStart(sourceFile));
      const last = lineOf(node.getEnd());
      for (let line = first; line <= last; line++) excused.add(line);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);

  const found: OverlongLine[] = [];
  lines.forEach((line, index) => {
    if (line.length <= width || excused.has(index) || /\bhttps?:\/\//.test(line)) return;
    found.push({ file, line: index + 1, length: line.length, text: line });
  });
  return found;
}
