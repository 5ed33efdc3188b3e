import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { coopErrorCodes } from "../../engine/errors/index.js";
import { repoRoot } from "../support/repoRoot.js";

/**
 * Folders being rewritten (issue #17's one pipeline): held to these rules once the rewrite lands. Remove
 * each entry as it does.
 */
const notYetChecked: string[] = [];

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(repoRoot, folder))) {
    const path = `${folder}/${name}`;
    if (statSync(join(repoRoot, path)).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(path);
  }
  return files.filter((file) => !notYetChecked.some((folder) => file.startsWith(folder)));
}

const parse = (path: string, text: string) => ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** An expression that names an error: `error`, `err`, `e`, `reason`, `this.failure`, `status.errorName`... */
const errorish = (name: string) =>
  /^(e|err\w*|\w*error|\w*reason|\w*cause|\w*failure|\w*exception)$/i.test(name);
const lastName = (node: ts.Expression): string | undefined =>
  ts.isIdentifier(node) ? node.text : ts.isPropertyAccessExpression(node) ? node.name.text : undefined;

/** `error.name`, `reason.name`, or a field holding an error's name (`status.errorName`). */
function readsErrorName(node: ts.Expression): boolean {
  const name = lastName(node);
  if (name !== undefined && /errorName$/i.test(name)) return true;
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === "name" &&
    errorish(lastName(node.expression) ?? "")
  );
}

/** `error.message` read by a comparison or a match: deciding on the text, not on the code. */
function readsErrorMessage(node: ts.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === "message" &&
    errorish(lastName(node.expression) ?? "")
  );
}

const equality = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);
const errorClassName = (node: ts.Expression) =>
  ts.isStringLiteralLike(node) && /^\w*(Error|Exception)$/.test(node.text);

/** Where a file decides on an error's name (or matches its message) instead of its code: `line: code`. */
function decisionsOnNames(path: string, text: string): string[] {
  const source = parse(path, text);
  const found: string[] = [];
  const report = (node: ts.Node) =>
    found.push(
      `${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`,
    );
  walk(source, (node) => {
    if (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind)) {
      const sides = [node.left, node.right];
      if (sides.some((side) => readsErrorName(side) || readsErrorMessage(side) || errorClassName(side)))
        report(node);
    } else if (ts.isSwitchStatement(node) && readsErrorName(node.expression)) {
      report(node.expression);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const onMessage =
        readsErrorMessage(node.expression.expression) || readsErrorName(node.expression.expression);
      const testsMessage =
        method === "test" && node.arguments.some((a) => readsErrorMessage(a) || readsErrorName(a));
      if ((onMessage && /^(includes|startsWith|endsWith|match|search)$/.test(method)) || testsMessage)
        report(node);
    }
  });
  return found;
}

/** `x instanceof Error ? x.message : String(x)` and its variants: describeError's job. */
const ownFormatting = /instanceof Error\s*\?[^;]*?\.message[^;]*?:\s*String\(/g;

function ownFormatters(path: string, text: string): string[] {
  return [...text.matchAll(ownFormatting)].map(
    (match) => `${path}:${text.slice(0, match.index).split("\n").length}: ${match[0].replace(/\s+/g, " ")}`,
  );
}

const builtinErrors = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError"]);

/** Classes that extend Error (directly or through another class) but not CoopError: `path: Name`. */
function errorsOutsideTheBase(files: { path: string; text: string }[]): string[] {
  const bases = new Map<string, string>();
  const declared: { path: string; name: string }[] = [];
  for (const { path, text } of files) {
    walk(parse(path, text), (node) => {
      if (!ts.isClassDeclaration(node) || node.name === undefined) return;
      const extended = node.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (extended === undefined) return;
      bases.set(node.name.text, extended.expression.getText());
      declared.push({ path, name: node.name.text });
    });
  }
  const chain = (name: string): string[] => {
    const seen = [name];
    for (let base = bases.get(name); base !== undefined && !seen.includes(base); base = bases.get(base))
      seen.push(base);
    return seen;
  };
  return declared
    .filter(({ name }) => name !== "CoopError")
    .filter(({ name }) => chain(name).some((link) => builtinErrors.has(link)))
    .filter(({ name }) => !chain(name).includes("CoopError"))
    .map(({ path, name }) => `${path}: ${name}`);
}

const withText = (path: string) => ({ path, text: read(path) });

describe("errors: one base class, stable codes, one formatter", () => {
  test("the extension decides on error codes, never on an error's name or message", () => {
    const found = sourceFiles("extension").flatMap((path) => decisionsOnNames(path, read(path)));
    assert.deepEqual(found, [], "use errorCodeOf / hasCode / isCancellation from engine/errors instead");
  });

  test("unknown errors are formatted by describeError only", () => {
    const found = ["engine", "extension", "webview"]
      .flatMap(sourceFiles)
      .flatMap((path) => ownFormatters(path, read(path)));
    assert.deepEqual(found, [], "use describeError(error) from engine/errors");
  });

  test("every Error subclass of engine/ and extension/ extends CoopError", () => {
    const files = ["engine", "extension"].flatMap(sourceFiles).map(withText);
    assert.deepEqual(errorsOutsideTheBase(files), []);
  });

  test("the codes are unique, kebab-case, and each is documented on one line", () => {
    const codes: string[] = Object.values(coopErrorCodes);
    assert.deepEqual(
      codes.filter((code, index) => codes.indexOf(code) !== index),
      [],
      "a code used twice",
    );
    assert.deepEqual(
      codes.filter((code) => !/^[a-z]+(-[a-z]+)*$/.test(code)),
      [],
    );
    const path = "engine/errors/errorCodes.ts";
    const text = read(path);
    const undocumented: string[] = [];
    walk(parse(path, text), (node) => {
      if (!ts.isPropertyAssignment(node) || !ts.isObjectLiteralExpression(node.parent)) return;
      const comments = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
      const doc = comments.at(-1);
      const comment = doc === undefined ? "" : text.slice(doc.pos, doc.end);
      if (!/^\/\*\* .+ \*\/$/.test(comment)) undocumented.push(node.name.getText());
    });
    assert.deepEqual(undocumented, []);
    assert.equal(codes.length, Object.keys(coopErrorCodes).length);
  });

  test("the checks catch what they are for", () => {
    const decisions = decisionsOnNames(
      "probe.ts",
      [
        'if (error.name === "ModelNotAvailableError") retry();',
        'const missing = status.errorName === "ModelNotAvailableError";',
        'if ("AbortError" !== err.name) throw err;',
        "switch (reason.name) {}",
        'if (error.message.includes("not downloaded")) download();',
        "if (/cancelled/.test(e.message)) return;",
        'if (x === "ModelFileError") return;',
        "const same = symbol.name === name;",
        "if (hasCode(error, coopErrorCodes.cancelled)) return;",
        "log(error.message);",
      ].join("\n"),
    );
    assert.deepEqual(
      decisions.map((line) => line.split(":")[1]),
      ["1", "2", "3", "4", "5", "6", "7"],
    );
    const formatted = ownFormatters(
      "probe.ts",
      [
        "const a = error instanceof Error ? error.message : String(error);",
        "const b = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);",
        "const c = error instanceof Error",
        "  ? `${error.name}: ${error.message}`",
        "  : String(error);",
        "log.error(error instanceof Error ? error : String(error));",
        "const d = describeError(error);",
      ].join("\n"),
    );
    assert.deepEqual(
      formatted.map((line) => line.split(":")[1]),
      ["1", "2", "3"],
    );
    const outside = errorsOutsideTheBase([
      {
        path: "probe.ts",
        text: [
          "class A extends Error {}",
          "export class B extends A {}",
          "class C extends CoopError {}",
          "export class D extends C {}",
          "class E extends TypeError {}",
          "class F extends Map {}",
        ].join("\n"),
      },
    ]);
    assert.deepEqual(outside, ["probe.ts: A", "probe.ts: B", "probe.ts: E"]);
  });
});
