import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ESLint } from "eslint";
import { overlongLines } from "../support/overlongLines.js";
import { repoRoot } from "../support/repoRoot.js";

/** Lints a throwaway source file placed in `folder`, so it is typed by that part's own tsconfig. */
async function lintProbe(folder: string, source: string): Promise<ESLint.LintResult> {
  const probe = join(repoRoot, folder, `lintProbe${randomBytes(4).toString("hex")}.ts`);
  await writeFile(probe, source);
  try {
    const [result] = await new ESLint({ cwd: repoRoot }).lintFiles([probe]);
    return result!;
  } finally {
    await rm(probe, { force: true });
  }
}

describe("the linter holds the project's rules", () => {
  // One probe a folder: typescript-eslint keeps each tsconfig's program for the whole process, so a
  // second probe file in the same folder would not be in it.
  test("a floating promise in engine/ fails the lint; the same call awaited passes", async () => {
    const result = await lintProbe(
      "engine",
      [
        "async function save(): Promise<void> {}",
        "export function onChange(): void {",
        "  save();",
        "}",
        "export async function onSave(): Promise<void> {",
        "  await save();",
        "}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      result.messages.map((m) => `${m.line}: ${m.ruleId}`),
      ["3: @typescript-eslint/no-floating-promises"],
    );
  });

  test("the chat UI may not import a Node built-in", async () => {
    const result = await lintProbe(
      "webview",
      ['import { existsSync, readFileSync } from "node:fs";', "export const read = readFileSync;", ""].join(
        "\n",
      ),
    );
    // (Its types are not visible there either, so the import is also untyped.)
    assert.ok(
      result.messages.some((m) => m.ruleId === "no-restricted-imports"),
      JSON.stringify(result.messages),
    );
  });
});

test("no line is longer than Prettier's width outside strings and URLs", () => {
  const { printWidth } = JSON.parse(readFileSync(join(repoRoot, ".prettierrc.json"), "utf8")) as {
    printWidth: number;
  };
  const files = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.ts", "*.mts", "*.mjs", ":!sample/"],
    { cwd: repoRoot, encoding: "utf8" },
  )
    .split("\n")
    .filter((file) => file !== "" && existsSync(join(repoRoot, file)));
  assert.ok(files.length > 100, `expected the project's sources, found ${files.length} files`);
  const overlong = files.flatMap((file) => overlongLines(join(repoRoot, file), printWidth));
  assert.deepEqual(
    overlong.map(({ file, line, length }) => `${file.slice(repoRoot.length)}:${line} (${length})`),
    [],
  );
});

test("the width check sees code and comments, and excuses string literals and URLs", () => {
  const long = "x".repeat(120);
  const text = [
    `const a = ${long};`,
    `// ${long}`,
    `const b = "${long}";`,
    `const c = \`${long}\`;`,
    `// see https://example.org/${long}`,
    "",
  ].join("\n");
  assert.deepEqual(
    overlongLines("probe.ts", 110, text).map((o) => o.line),
    [1, 2],
  );
});
