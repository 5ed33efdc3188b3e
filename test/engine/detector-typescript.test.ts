// The detector's TypeScript/JavaScript check by the compiler: a language service over a workspace that
// uses real packages installed in this repo's node_modules (express with @types/express, zod, lodash with
// @types/lodash, clsx), in its own thread, within a time budget.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { WorkspaceCooperators } from "../../engine/cooperators/index.js";
import { detect, type Finding } from "../../engine/detector/index.js";
import { TypeScriptChecker, withCompilerVerdict } from "../../engine/detector/typescript/index.js";
import { suggestedNames } from "../../engine/detector/typescript/compilerFindings.js";
import { placeSuggestion } from "../../engine/detector/typescript/placeSuggestion.js";
import { checkSuggestion, findingsIn } from "../../engine/pipeline/completionCheck.js";
import { completeChecked } from "../../engine/repair/index.js";
import type { CompletionGenerator, CompletionRequest } from "../../engine/completion/index.js";
import { repoRoot } from "../support/repoRoot.js";

const app = `import express, { type Request, type Response } from "express";
import { z } from "zod";
import _ from "lodash";
import clsx from "clsx";

const app = express();
export const User = z.object({ name: z.string() });

app.get("/users/:id", (req: Request, res: Response) => {
  res.json({ ok: true });
});

export function classes(on: boolean): string {
  return clsx("a", on && "b") + _.kebabCase("Some Name");
}
`;

const files: Record<string, string> = {
  "package.json": JSON.stringify({
    name: "shop",
    type: "module",
    dependencies: { express: "*", zod: "*", lodash: "*", clsx: "*" },
  }),
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
  "src/legacy.js": `export function legacy() {\n  return 1;\n}\n`,
};

/** Generous: these tests are about the verdicts, on a machine other tests share (the budget has its own). */
const budgetMs = 20_000;
const handlerBody = app.indexOf("  res.json");
/** The request of a completion inside the express handler of src/app.ts. */
const inHandler = { prefix: app.slice(0, handlerBody), suffix: app.slice(handlerBody), path: "src/app.ts" };

let root: string;
let checker: TypeScriptChecker;

async function judged(snippet: string, at = inHandler): Promise<Finding[]> {
  const verdict = await checker.check({ ...at, snippet }, budgetMs);
  assert.ok(verdict.judged, `the compiler did not judge: ${verdict.judged ? "" : verdict.reason}`);
  return verdict.findings;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-detector-ts-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await symlink(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  checker = TypeScriptChecker.start(root);
  assert.equal(await checker.ready(), true, JSON.stringify(checker.status));
});

after(async () => {
  await checker.dispose();
  await rm(root, { recursive: true, force: true });
});

describe("the compiler's verdict", () => {
  test("an express handler typed with express's own Request and Response has no finding", async () => {
    const snippet = `  const id = req.params.id;\n  res.set("x-user", id).status(200);\n`;
    assert.deepEqual(await judged(snippet), []);
  });

  test("a member a zod schema lacks is found, with the compiler's evidence and the nearest member", async () => {
    const snippet = `  const email = z.string().emailAddress();\n`;
    const [finding, ...rest] = await judged(snippet);
    assert.deepEqual(rest, []);
    assert.ok(finding);
    assert.equal(finding.kind, "unknownMember");
    assert.equal(finding.name, "emailAddress");
    assert.equal(snippet.slice(finding.span.start, finding.span.end), "emailAddress");
    assert.match(
      finding.evidence,
      /^the TypeScript compiler: Property 'emailAddress' does not exist on type/,
    );
    assert.ok(finding.suggestions.includes("email"), finding.suggestions.join());
  });

  test("a member some types of a union have needs a narrowing: it is not reported as made up", async () => {
    const snippet =
      `  const shapes: ({ kind: "a"; size: number } | { kind: "b" })[] = [];\n` +
      `  const first = shapes[0]!;\n  console.log(first.size, first.volume);\n`;
    assert.deepEqual(
      (await judged(snippet)).map((finding) => finding.name),
      ["volume"],
    );
  });

  test("a named import a package does not export is found", async () => {
    const snippet = `import { clsxMerge } from "clsx";\n`;
    const findings = await judged(snippet, { prefix: "", suffix: app, path: "src/app.ts" });
    assert.deepEqual(
      findings.map((finding) => [finding.kind, finding.name]),
      [["unknownMember", "clsxMerge"]],
    );
  });

  test("members and names typed through @types, `export =` and the file's scope", async () => {
    const findings = await judged(
      `  _.deepFlatten([]);\n  formatPrise(1);\n  Error.captureStackTrace({});\n`,
    );
    assert.deepEqual(
      findings.map((finding) => [finding.kind, finding.name]),
      [
        ["unknownMember", "deepFlatten"],
        ["unknownSymbol", "formatPrise"],
      ],
    );
    assert.ok(findings[0]!.suggestions.includes("flattenDeep"), findings[0]!.suggestions.join());
  });

  test("a module that is not installed is an unknown package, named without its quotes", async () => {
    const snippet = `import { nanoid } from "nanoid-secure";\n`;
    const findings = await judged(snippet, { prefix: "", suffix: app, path: "src/app.ts" });
    assert.deepEqual(
      findings.map((finding) => [
        finding.kind,
        finding.name,
        snippet.slice(finding.span.start, finding.span.end),
      ]),
      [["unknownPackage", "nanoid-secure", "nanoid-secure"]],
    );
  });

  test("only what lies inside the inserted text is reported", async () => {
    // The editor's file already has an error of its own after the cursor.
    const broken = { ...inHandler, suffix: `  missingAfter();\n${inHandler.suffix}` };
    checker.updateDocument("src/app.ts", broken.prefix + broken.suffix);
    try {
      const findings = await judged(`  missingInside();\n`, broken);
      assert.deepEqual(
        findings.map((finding) => [finding.name, finding.span]),
        [["missingInside", { start: 2, end: 15 }]],
      );
    } finally {
      checker.updateDocument("src/app.ts", undefined);
    }
  });

  test("the editor's documents are seen by the next check, and undone back to the disk", async () => {
    const snippet = `import { formatPrice, formatTotal } from "./util.js";\n`;
    const at = { prefix: "", suffix: app, path: "src/app.ts" };
    assert.deepEqual(
      (await judged(snippet, at)).map((finding) => finding.name),
      ["formatTotal"],
    );
    checker.updateDocument(
      "src/util.ts",
      `${files["src/util.ts"]}export function formatTotal(cents: number): string {\n  return String(cents);\n}\n`,
    );
    assert.deepEqual(await judged(snippet, at), []);
    checker.updateDocument("src/util.ts", undefined);
    assert.deepEqual(
      (await judged(snippet, at)).map((finding) => finding.name),
      ["formatTotal"],
    );
  });

  test("a suggestion whose surroundings are not the file the compiler has is not judged", async () => {
    const verdict = await checker.check(
      { prefix: "const elsewhere = 1;\n", snippet: "nothing();\n", suffix: "", path: "src/util.ts" },
      budgetMs,
    );
    assert.deepEqual(verdict, {
      judged: false,
      reason: "the editor's text around the cursor is not in the compiler's copy of the file",
    });
  });

  test("JavaScript is left to the fast checker when the project does not type-check it", async () => {
    const verdict = await checker.check(
      { prefix: "", snippet: "legacyy();\n", suffix: files["src/legacy.js"]!, path: "src/legacy.js" },
      budgetMs,
    );
    assert.ok(!verdict.judged);
    assert.match(verdict.reason, /checkJs is off/);
  });

  test("a suggestion that does not parse is left to the fast checker", async () => {
    for (const snippet of ["  import {}`);\n  missingName();\n", "  import chalk.setBytes(x\n"]) {
      const verdict = await checker.check({ ...inHandler, snippet }, budgetMs);
      assert.deepEqual(verdict, { judged: false, reason: "the suggestion does not parse as TypeScript" });
    }
    // An unclosed block is still judged: the suffix closes it, as editors expect.
    assert.deepEqual(
      (await judged("  if (req.params.id) {\n    missingName();\n")).map((finding) => finding.name),
      ["missingName"],
    );
  });

  test("a check over its budget is given up and says so", async () => {
    // A module the program has not loaded: the check builds a new program, far longer than 1 ms (one on
    // the warm program can take less, and then the budget is not exceeded).
    const slow = `  void import("nanoid/non-secure");\n  z.string().emailAddress();\n`;
    const verdict = await checker.check({ ...inHandler, snippet: slow }, 1);
    assert.deepEqual(verdict, { judged: false, reason: "the compiler was over its 1 ms budget" });
    // The compiler's thread is still there for the next check.
    assert.equal((await judged(`  z.string().emailAddress();\n`)).length, 1);
  });
});

describe("projects the compiler does not load", () => {
  test("a project with more files than the limit is left to the fast checker", async () => {
    const small = TypeScriptChecker.start(root, { maxFiles: 1 });
    try {
      assert.equal(await small.ready(), false);
      const verdict = await small.check({ ...inHandler, snippet: "x();\n" }, budgetMs);
      assert.ok(!verdict.judged);
      assert.match(verdict.reason, /more than the compiler loads \(1\)/);
    } finally {
      await small.dispose();
    }
  });

  test("a check before the project is warm is not judged, nor one after disposal", async () => {
    const cold = TypeScriptChecker.start(root);
    const verdict = await cold.check({ ...inHandler, snippet: "x();\n" }, budgetMs);
    assert.deepEqual(verdict, { judged: false, reason: "the project is not loaded yet" });
    await cold.dispose();
    assert.equal(await cold.ready(), false);
    assert.deepEqual(cold.status, { status: "unavailable", reason: "the checker is disposed" });
    assert.equal((await cold.check({ ...inHandler, snippet: "x();\n" }, budgetMs)).judged, false);
  });
});

describe("the product's check: the fast checker, then the compiler", () => {
  let cooperators: WorkspaceCooperators;
  let cacheDir: string;

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "coop-detector-ts-cache-"));
    cooperators = await WorkspaceCooperators.open(root, cacheDir);
    assert.equal(await cooperators.typeScriptReady(), true);
  });

  after(async () => {
    await cooperators.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const check = { language: "typescript" as const, policy: "annotate" as const, compilerBudgetMs: budgetMs };

  const fastFindings = (snippet: string): Promise<Finding[]> =>
    detect(snippet, {
      language: "typescript",
      workspace: cooperators.detectorWorkspace,
      prefixContext: inHandler.prefix,
      suffixContext: inHandler.suffix,
      path: inHandler.path,
    });

  test("the compiler's verdict replaces the fast checker's on names and members", async () => {
    const handler = `  const id = req.params.id;\n  res.set("x", id);\n`;
    const good = await checkSuggestion(handler, inHandler, check, cooperators);
    assert.deepEqual(good, { findings: [], checkedBy: "compiler" });
    // The fast checker cannot type a call's result: the compiler's finding is what the check reports.
    assert.deepEqual(await fastFindings(`  z.string().emailAddress();\n`), []);
    const bad = await checkSuggestion(`  z.string().emailAddress();\n`, inHandler, check, cooperators);
    assert.equal(bad.checkedBy, "compiler");
    assert.deepEqual(
      bad.findings.map((finding) => finding.name),
      ["emailAddress"],
    );
  });

  test("over budget or turned off, the fast verdict stands and says why", async () => {
    // A module the program has not loaded: the check builds a new program, far longer than 1 ms (one on
    // the present program can take less).
    const snippet = `  void import("nanoid/non-secure");\n  const id = req.params.id;\n`;
    const fast = await fastFindings(snippet);
    const over = await checkSuggestion(snippet, inHandler, { ...check, compilerBudgetMs: 1 }, cooperators);
    assert.deepEqual(over, {
      findings: fast,
      checkedBy: "fast",
      reason: "the compiler was over its 1 ms budget",
    });
    const off = await checkSuggestion(snippet, inHandler, { ...check, compilerBudgetMs: 0 }, cooperators);
    assert.equal(off.checkedBy, "fast");
    assert.match(off.reason ?? "", /compilerBudgetMs is 0/);
  });

  test("the editor's edits reported to the workspace reach the compiler", async () => {
    const util = join(root, "src/util.ts");
    const request = { prefix: "", suffix: app, path: "src/app.ts" };
    const snippet = `import { formatCents } from "./util.js";\n`;
    const before = await checkSuggestion(snippet, request, check, cooperators);
    assert.deepEqual(
      before.findings.map((finding) => [
        finding.name,
        finding.evidence.startsWith("the TypeScript compiler"),
      ]),
      [["formatCents", true]],
    );
    const text = `${files["src/util.ts"]}export const formatCents = (cents: number) => String(cents);\n`;
    await cooperators.applyChanges({
      edited: [{ path: util, text, editedLines: [{ startLine: 3, endLine: 3 }] }],
    });
    assert.deepEqual(await checkSuggestion(snippet, request, check, cooperators), {
      findings: [],
      checkedBy: "compiler",
    });
    await cooperators.applyChanges({ closed: [util] });
    assert.deepEqual(
      (await checkSuggestion(snippet, request, check, cooperators)).findings.map((finding) => finding.name),
      ["formatCents"],
    );
  });

  test("the compiler's nearest member is what the repair loop writes instead", async () => {
    // A scripted model: the suggestion, then, asked to rewrite the wrong name under a grammar of the
    // candidates, the first one the grammar allows.
    const asked: CompletionRequest[] = [];
    const model: CompletionGenerator = {
      complete: (request) => {
        asked.push(request);
        const raw =
          request.grammar === undefined
            ? `  const email = z.string().emailAddress();\n`
            : (/"([^"]+)"/.exec(request.grammar)?.[1] ?? "");
        return Promise.resolve({ text: raw, raw, source: "generated", multiline: false });
      },
      answerWithoutGenerating: () => undefined,
      remember: () => undefined,
    };
    const request = { document: "file:///app.ts", ...inHandler };
    const checked = await completeChecked(model, request, {
      language: "typescript",
      workspace: cooperators.detectorWorkspace,
      policy: "repair",
      path: inHandler.path,
      findingsIn: (text, at) => findingsIn(text, { ...at, path: inHandler.path }, check, cooperators),
    });
    assert.equal(checked.repaired, true);
    assert.equal(checked.result.text, `  const email = z.string().email();\n`);
    assert.match(asked[1]?.grammar ?? "", /"email"/);
    assert.deepEqual(
      checked.repairedFindings?.map((finding) => finding.evidence.startsWith("the TypeScript compiler")),
      [true],
    );
  });

  test("other languages are the fast checker's alone", async () => {
    const python = await checkSuggestion(
      "print(1)\n",
      { prefix: "", suffix: "", path: "main.py" },
      { ...check, language: "python" },
      cooperators,
    );
    assert.deepEqual(python, { findings: [], checkedBy: "fast" });
  });
});

describe("combining the verdicts", () => {
  const finding = (kind: Finding["kind"], name: string, start: number): Finding => ({
    kind,
    name,
    span: { start, end: start + name.length },
    evidence: "fast",
    suggestions: [],
  });

  test("the fast checker keeps require() and side-effect imports, and low confidence", () => {
    const snippet = `const a = require("left-padd");\nimport "polyfil";\nimport { x } from "nope";\nfoo.bar;\n`;
    const fast = [
      finding("unknownPackage", "left-padd", snippet.indexOf("left-padd")),
      finding("unknownPackage", "polyfil", snippet.indexOf("polyfil")),
      finding("unknownPackage", "nope", snippet.indexOf("nope")),
      finding("unknownMember", "bar", snippet.indexOf("bar")),
      finding("lowConfidence", "foo", snippet.indexOf("foo")),
    ];
    const compiler = [
      { ...finding("unknownPackage", "nope", snippet.indexOf("nope")), evidence: "compiler" },
    ];
    const combined = withCompilerVerdict(fast, { judged: true, findings: compiler }, snippet, "");
    assert.equal(combined.checkedBy, "compiler");
    assert.deepEqual(
      combined.findings.map((f) => [f.name, f.evidence]),
      [
        ["left-padd", "fast"],
        ["polyfil", "fast"],
        ["nope", "compiler"],
        ["foo", "fast"],
      ],
    );
  });

  test("without the compiler's verdict, the fast findings stand with the reason", () => {
    const fast = [finding("unknownMember", "bar", 0)];
    assert.deepEqual(withCompilerVerdict(fast, { judged: false, reason: "why" }, "bar", ""), {
      findings: fast,
      checkedBy: "fast",
      reason: "why",
    });
  });

  test("the names a compiler message proposes", () => {
    assert.deepEqual(suggestedNames("Property 'emial' does not exist on type 'X'. Did you mean 'email'?"), [
      "email",
    ]);
    assert.deepEqual(suggestedNames("Module '\"m\"' declares 'a' locally, but it is exported as 'b'."), [
      "b",
    ]);
    assert.deepEqual(suggestedNames("Cannot find name 'x'. Did you mean the instance member 'this.x'?"), []);
    assert.deepEqual(suggestedNames("Cannot find name 'x'."), []);
  });
});

describe("placing a suggestion in the compiler's copy of its file", () => {
  const file = "import a from 'a';\n\nfunction f() {\n  return 1;\n}\n\nexport const z = f();\n";
  const cursor = file.indexOf("  return");

  test("the editor's window around the cursor is found in the file, whose text outside it is kept", () => {
    const prefix = file.slice(file.indexOf("function"), cursor);
    const suffix = file.slice(cursor, file.indexOf("export"));
    const placed = placeSuggestion(file, prefix, "  a();\n", suffix);
    assert.deepEqual(placed, {
      whole: file.slice(0, cursor) + "  a();\n" + file.slice(cursor),
      inserted: { from: cursor, to: cursor + "  a();\n".length },
    });
  });

  test("a file that already holds other text where the suggestion goes is placed by the window's ends", () => {
    const placed = placeSuggestion(
      file,
      file.slice(0, cursor),
      "  return 2;\n",
      file.slice(file.indexOf("}")),
    );
    assert.equal(placed?.whole, file.replace("  return 1;\n", "  return 2;\n"));
  });

  test("no file text: the window is the file; a window the file does not have: nothing", () => {
    assert.equal(placeSuggestion(undefined, "a", "b", "c")?.whole, "abc");
    assert.equal(placeSuggestion(file, "class Other {\n", "x", "}\n"), undefined);
  });
});
