// The detector's fast pass on everyday TypeScript: types imported from packages are not the lib globals of
// the same name, utility types, members Node adds to lib globals, literals, and installed packages read
// as Node and TypeScript resolve them (through a linked node_modules, from a folder above the root,
// `export *`, `export =`, exports maps and their conditions, subpaths).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { detect, workspaceFromFiles, type IndexedWorkspace } from "../../engine/detector/index.js";

let dir: string;
let workspace: IndexedWorkspace;

const json = (value: unknown): string => JSON.stringify(value);

/** Installed in a store outside the root; the root's node_modules is a link to it (pnpm-like). */
const store: Record<string, string> = {
  "starpkg/package.json": json({
    name: "starpkg",
    exports: {
      ".": { types: "./index.d.ts", default: "./index.js" },
      "./lite": { types: "./lite.d.ts", default: "./lite.js" },
    },
  }),
  "starpkg/index.d.ts":
    'export * from "./parts.js";\nexport * as ns from "./parts.js";\nexport declare function main(): void;\n',
  "starpkg/parts.d.ts":
    'export declare const partA: number;\nexport { partB as renamed } from "./more.js";\n',
  "starpkg/more.d.ts": "export declare function partB(): void;\n",
  "starpkg/lite.d.ts": "export declare function liteOnly(): void;\n",
  "legacy/package.json": json({ name: "legacy", main: "index.js" }),
  "legacy/index.js": "module.exports = function legacy() {};\n",
  "legacy/sub.js": "module.exports = {};\n",
  "@types/legacy/package.json": json({ name: "@types/legacy", types: "index.d.ts" }),
  "@types/legacy/index.d.ts":
    "declare function legacy(): void;\n" +
    "declare namespace legacy {\n  function helper(): void;\n  const version: string;\n}\n" +
    "export = legacy;\n",
  "zodlike/package.json": json({ name: "zodlike", types: "index.d.ts" }),
  "zodlike/index.d.ts":
    'import * as z from "./external.js";\nexport * from "./external.js";\nexport { z, z as default };\n',
  "zodlike/external.d.ts": "export declare function string(): void;\nexport declare const object: number;\n",
  "ambient/package.json": json({ name: "ambient", types: "index.d.ts" }),
  "ambient/index.d.ts": 'declare module "ambient" {\n  export function a(): void;\n}\n',
  "dual/package.json": json({
    name: "dual",
    exports: {
      ".": { import: { types: "./esm.d.mts", default: "./esm.mjs" }, require: { types: "./cjs.d.cts" } },
    },
  }),
  "dual/esm.d.mts": "export declare function onlyEsm(): void;\n",
  "dual/cjs.d.cts": "export declare function onlyCjs(): void;\n",
};

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const sources: Record<string, string> = {
  "src/order.ts": "export interface Order {\n  id: string;\n  total: number;\n}\n",
  "src/money.ts": "export function formatMoney(cents: number): string {\n  return String(cents);\n}\n",
  "src/index.ts": 'export * as money from "./money.js";\nexport * from "./order.js";\n',
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "coop-detector-fastpass-"));
  const root = join(dir, "monorepo", "app");
  await write(join(dir, "store", "node_modules"), store);
  // Hoisted into the monorepo's node_modules, above the workspace root.
  await write(join(dir, "monorepo", "node_modules", "hoisted"), {
    "package.json": json({ name: "hoisted", types: "types.d.ts" }),
    "types.d.ts": "export declare function up(): void;\n",
  });
  await write(root, {
    ...sources,
    "package.json": json({
      name: "app",
      type: "module",
      dependencies: { starpkg: "1", legacy: "1", dual: "1", hoisted: "1", zodlike: "1", ambient: "1" },
      devDependencies: { "@types/legacy": "1" },
    }),
  });
  await symlink(join(dir, "store", "node_modules"), join(root, "node_modules"));
  workspace = await workspaceFromFiles(
    Object.entries(sources).map(([path, text]) => ({ path, text })),
    { root },
  );
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function found(snippet: string, prefixContext = ""): Promise<string[]> {
  const findings = await detect(snippet, {
    language: "typescript",
    workspace,
    path: "src/main.ts",
    prefixContext,
  });
  return findings.map((finding) => `${finding.kind}:${finding.name}`);
}

describe("types imported or declared in the file are not lib globals", () => {
  test("express's Request and Response are not fetch's: no finding on req.params or res.set", async () => {
    const prefix = 'import express, { type Request, type Response } from "express";\n';
    const snippet = 'app.get("/", (req: Request, res: Response) => res.set("X", req.params.id));\n';
    assert.deepEqual(await found(snippet, `${prefix}const app = express();\n`), []);
  });

  test("the global Request, not imported, is still checked", async () => {
    assert.deepEqual(await found("function f(req: Request) { return req.params; }\n"), [
      "unknownMember:params",
    ]);
  });

  test("Partial/Readonly/Required have their argument's members; other aliases are unknown", async () => {
    const prefix = 'import type { Order } from "./order.js";\n';
    assert.deepEqual(
      await found(
        "function f(a: Partial<Order>, b: Readonly<Order>) { return [a.total, b.id, a.totl]; }\n",
        prefix,
      ),
      ["unknownMember:totl"],
    );
    assert.deepEqual(
      await found(
        "function g(r: Record<string, Order>, p: Pick<Order, 'id'>) { return [r.x, p.y]; }\n",
        prefix,
      ),
      [],
    );
  });

  test("a file's own Partial is not the lib's", async () => {
    const prefix = 'import type { Order } from "./order.js";\ntype Partial<T> = { wrapped: T };\n';
    assert.deepEqual(await found("function f(a: Partial<Order>) { return a.wrapped; }\n", prefix), []);
  });
});

describe("members of globals and literals", () => {
  test("members Node adds to lib globals exist; near misses of them do not", async () => {
    assert.deepEqual(await found("Error.captureStackTrace({}); Error.stackTraceLimit = 5;\n"), []);
    assert.deepEqual(await found("Error.captureStackTrac({});\n"), ["unknownMember:captureStackTrac"]);
  });

  test("string, template, array and regular expression literals have their lib type's members", async () => {
    assert.deepEqual(await found('"a".trim(); `b`.padStart(2); [1].at(0); /c/.test("c");\n'), []);
    assert.deepEqual(await found('"a".trimm(); [1].joinn(",");\n'), [
      "unknownMember:trimm",
      "unknownMember:joinn",
    ]);
  });
});

describe("installed packages as Node and TypeScript resolve them", () => {
  test("exports through a linked node_modules, `export *` chains, renames and `export * as`", async () => {
    assert.deepEqual(await found('import { partA, renamed, main, ns, partB, nope } from "starpkg";\n'), [
      "unknownMember:partB",
      "unknownMember:nope",
    ]);
  });

  test("`export =` of a function and namespace, from the @types package", async () => {
    assert.deepEqual(await found('import { helper, version, helpr } from "legacy";\n'), [
      "unknownMember:helpr",
    ]);
  });

  test("a declaration file that is a script (`declare module` blocks) is not judged", async () => {
    assert.deepEqual(await found('import { a, b } from "ambient";\n'), []);
  });

  test("a package hoisted above the workspace root", async () => {
    assert.deepEqual(await found('import { up, dowm } from "hoisted";\n'), ["unknownMember:dowm"]);
  });

  test("the exports map's condition for the workspace's module kind (ESM here)", async () => {
    assert.deepEqual(await found('import { onlyEsm, onlyCjs } from "dual";\n'), ["unknownMember:onlyCjs"]);
  });

  test("subpaths: per the exports map, else on disk; exports of a mapped subpath", async () => {
    assert.deepEqual(
      await found(
        'import "starpkg/lite";\nimport "starpkg/heavy";\nimport "legacy/sub";\nimport "legacy/nosuch";\n',
      ),
      ["unknownPackage:starpkg/heavy", "unknownPackage:legacy/nosuch"],
    );
    assert.deepEqual(await found('import { liteOnly, main } from "starpkg/lite";\n'), ["unknownMember:main"]);
  });
});

describe("namespaces re-exported by a module", () => {
  test("the workspace's `export *` and `export * as`: named imports, the namespace's members", async () => {
    assert.deepEqual(await found('import { money, Order, nope } from "./index.js";\n'), [
      "unknownMember:nope",
    ]);
    const prefix = 'import { money } from "./index.js";\n';
    assert.deepEqual(await found("money.formatMoney(1); money.toString(); money.formatMony(1);\n", prefix), [
      "unknownMember:formatMony",
    ]);
  });

  test("a package's `import * as z` re-exported by name and as its default", async () => {
    const snippet = "z.string(); z.object; z.strin();\n";
    assert.deepEqual(await found(snippet, 'import { z } from "zodlike";\n'), ["unknownMember:strin"]);
    assert.deepEqual(await found(snippet, 'import z from "zodlike";\n'), ["unknownMember:strin"]);
    assert.deepEqual(await found("ns.partA; ns.partC;\n", 'import { ns } from "starpkg";\n'), [
      "unknownMember:partC",
    ]);
  });

  test("the default import of an `export =` function and namespace has the namespace's names", async () => {
    const snippet = "legacy.helper(); legacy.call(null); legacy.helpr();\n";
    assert.deepEqual(await found(snippet, 'import legacy from "legacy";\n'), ["unknownMember:helpr"]);
  });

  test("the default import of a module with its own default export stays unknown", async () => {
    assert.deepEqual(await found("main.anything;\n", 'import main from "starpkg/lite";\n'), []);
  });
});
