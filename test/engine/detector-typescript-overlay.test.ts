// The compiler's check of a suggestion overlaid on the present program (OverlayChecker): its verdicts are
// the compiler's own on the whole file with the suggestion in it, computed here by a program built for it.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import ts from "typescript";
import { compilerFindings } from "../../engine/detector/typescript/compilerFindings.js";
import { placeSuggestion } from "../../engine/detector/typescript/placeSuggestion.js";
import { regionNodes } from "../../engine/detector/typescript/regionNodes.js";
import { TypeScriptProject } from "../../engine/detector/typescript/typeScriptProject.js";
import { repoRoot } from "../support/repoRoot.js";

const app = `import express, { type Request, type Response } from "express";
import { z } from "zod";
import { formatPrice } from "./util.js";

const app = express();
export const User = z.object({ name: z.string() });

app.get("/users/:id", (req: Request, res: Response) => {
  res.json({ price: formatPrice(1) });
});
`;

const files: Record<string, string> = {
  "package.json": JSON.stringify({ name: "shop", type: "module", dependencies: { express: "*", zod: "*" } }),
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      types: ["node"],
    },
    include: ["src"],
  }),
  "src/app.ts": app,
  "src/util.ts": `export function formatPrice(cents: number): string {\n  return (cents / 100).toFixed(2);\n}\n`,
  "src/unused.ts": `export const unusedHelper = 1;\nfunction hidden(): number {\n  return 2;\n}\nexport {};\n`,
};

const handlerBody = app.indexOf("  res.json");
const inHandler = { prefix: app.slice(0, handlerBody), suffix: app.slice(handlerBody), path: "src/app.ts" };
const atTop = { prefix: "", suffix: app, path: "src/app.ts" };

let root: string;
let project: TypeScriptProject;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-overlay-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await symlink(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  const loaded = TypeScriptProject.load(ts, root, 100);
  assert.ok(!("notLoaded" in loaded));
  project = loaded;
  project.warm();
});

after(async () => {
  project.dispose();
  await rm(root, { recursive: true, force: true });
});

/** The compiler's findings on the whole file with the snippet in it, from a program built for that text. */
function wholeProgramFindings(at: typeof inHandler, snippet: string): Array<[string, string, string?]> {
  const placed = placeSuggestion(at.prefix + at.suffix, at.prefix, snippet, at.suffix)!;
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  )!;
  const fileName = join(root, at.path);
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? placed.whole : readFile(name));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, options, onError) =>
    name === fileName
      ? ts.createSourceFile(name, placed.whole, options)
      : getSourceFile(name, options, onError);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host });
  const diagnostics = program.getSemanticDiagnostics(program.getSourceFile(fileName));
  return compilerFindings(ts, diagnostics, placed.whole, placed.inserted).map((f) => [
    f.kind,
    f.name,
    f.container,
  ]);
}

function overlayFindings(at: typeof inHandler, snippet: string): Array<[string, string, string?]> {
  const verdict = project.check({ ...at, snippet }, () => false);
  assert.ok(verdict.judged, verdict.judged ? "" : verdict.reason);
  return verdict.findings.map((finding) => [finding.kind, finding.name, finding.container]);
}

describe("a suggestion checked on the present program", () => {
  const cases: Array<[string, typeof inHandler, string]> = [
    ["express's own Request and Response", inHandler, `  const id = req.params.id;\n  res.set("x", id);\n`],
    ["a member a call's result lacks", inHandler, `  z.string().emailAddress();\n`],
    ["a name that is nowhere", inHandler, `  formatPrise(2);\n`],
    ["a new import of a package the program has", atTop, `import { ZodStringg } from "zod";\n`],
    ["a new import of a project file", atTop, `import { formatPricee } from "./util.js";\n`],
    ["a name a file does not export", atTop, `import { hidden } from "./unused.js";\n`],
    ["a package that is not installed", atTop, `import left from "left-pad-not-here";\n`],
    [
      "an import of a file the program lacks",
      atTop,
      `import { customAlphabett } from "nanoid/non-secure";\n`,
    ],
  ];
  for (const [title, at, snippet] of cases)
    test(`${title}: the whole program's verdict`, () => {
      assert.deepEqual(overlayFindings(at, snippet), wholeProgramFindings(at, snippet));
    });

  test("each check leaves the program as it was: the same suggestion twice gets the same verdict", () => {
    const snippet = `import { formatPricee } from "./util.js";\n`;
    assert.deepEqual(overlayFindings(atTop, snippet), overlayFindings(atTop, snippet));
    assert.deepEqual(overlayFindings(inHandler, `  formatPrice(3);\n`), []);
  });

  test("a check given up on: a new program's stops, one on the present program runs to its end", () => {
    const needsNewProgram = `import { customAlphabett } from "nanoid/non-secure";\nexport function f() {}\n`;
    assert.throws(
      () => project.check({ ...atTop, snippet: needsNewProgram }, () => true),
      (error: unknown) => error instanceof ts.OperationCanceledException,
    );
    const onPresent = project.check({ ...inHandler, snippet: `  z.string().emailAddress();\n` }, () => true);
    assert.ok(onPresent.judged);
    assert.deepEqual(
      onPresent.findings.map((finding) => finding.name),
      ["emailAddress"],
    );
    assert.deepEqual(overlayFindings(atTop, needsNewProgram), wholeProgramFindings(atTop, needsNewProgram));
  });

  test("a member the compiler proposes nothing for gets the nearest names the checker knows", () => {
    const verdict = project.check({ ...inHandler, snippet: `  res.jsonp2({});\n` }, () => false);
    assert.ok(verdict.judged);
    assert.deepEqual(
      verdict.findings.map((finding) => finding.name),
      ["jsonp2"],
    );
    assert.ok(verdict.findings[0]!.suggestions.includes("jsonp"), verdict.findings[0]!.suggestions.join());
  });

  test("after an update and prepare, the next check sees the editor's text", () => {
    const edited = app.replace(`import { z } from "zod";\n`, `import { z } from "zod";\nconst limit = 3;\n`);
    project.updateDocument("src/app.ts", edited);
    project.prepare();
    const body = edited.indexOf("  res.json");
    const at = { prefix: edited.slice(0, body), suffix: edited.slice(body), path: "src/app.ts" };
    assert.deepEqual(overlayFindings(at, `  void limit;\n  void limits;\n`), [
      ["unknownSymbol", "limits", undefined],
    ]);
    project.updateDocument("src/app.ts", undefined);
  });
});

describe("the statements a region check looks at", () => {
  test("those of the innermost block around the range that overlap it", () => {
    const text = `const a = 1;\nfunction f() {\n  const b = 2;\n  const c = 3;\n}\n`;
    const file = ts.createSourceFile("x.ts", text, ts.ScriptTarget.ES2022, true);
    const from = text.indexOf("const c");
    const nodes = regionNodes(ts, file, { from, to: from + 5 });
    assert.deepEqual(
      nodes.map((node) => node.getText()),
      ["const c = 3;"],
    );
    const whole = regionNodes(ts, file, { from: 0, to: text.indexOf("function") + 3 });
    assert.equal(whole.length, 2);
  });
});
