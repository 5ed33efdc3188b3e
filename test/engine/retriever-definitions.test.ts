import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { completionQuery, groundCompletion } from "../../engine/cooperators/index.js";
import { Retriever, type RetrievedChunk } from "../../engine/retriever/index.js";
import { moduleSyntaxOf } from "../../engine/retriever/moduleSyntax.js";
import { declaredTypeName, receiverBeforeCursor } from "../../engine/retriever/receiverType.js";

/** A monorepo-like workspace: tsconfig paths, workspace packages with exports, barrels, classes. */
const files: Record<string, string> = {
  "tsconfig.json": `{
  // comments and trailing commas, as tsconfig allows
  "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["app/src/*"], }, },
}`,
  "package.json": `{ "name": "root", "private": true, "workspaces": ["packages/*"], "imports": { "#config": "./app/src/config.ts" } }`,
  "packages/money/package.json": `{ "name": "@shop/money", "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js" }, "./rounding": "./src/rounding.ts" } }`,
  "packages/money/src/index.ts": [
    'export * from "./format.js";',
    'export { addTax as withTax } from "./tax.js";',
    'export * as rounding from "./rounding.js";',
    "",
  ].join("\n"),
  "packages/money/src/format.ts": `/** Formats cents as a price. */\nexport function formatPrice(cents: number): string {\n  return (cents / 100).toFixed(2);\n}\n`,
  "packages/money/src/tax.ts": `export function addTax(cents: number, rate: number): number {\n  return Math.round(cents * (1 + rate));\n}\n`,
  "packages/money/src/rounding.ts": `export function roundToCents(value: number): number {\n  return Math.round(value * 100) / 100;\n}\n`,
  "app/src/config.ts": `export function loadConfig(): Record<string, string> {\n  return {};\n}\n`,
  "app/src/cart.ts": [
    "export class Cart {",
    "  private readonly lines: number[] = [];",
    "",
    "  addLine(cents: number): void {",
    "    this.lines.push(cents);",
    "  }",
    "",
    "  checkoutTotal(): number {",
    "    return this.lines.reduce((sum, cents) => sum + cents, 0);",
    "  }",
    "",
    "  clearAll(): void {",
    "    this.lines.length = 0;",
    "  }",
    "}",
    "",
  ].join("\n"),
  "app/src/base.ts": `export class Repository {\n  findById(id: string): string {\n    return id;\n  }\n}\n`,
  "app/src/orders.ts": [
    'import { Repository } from "./base.js";',
    "export class OrderRepository extends Repository {",
    "  countOrders(): number {",
    "    return 0;",
    "  }",
    "}",
    "",
  ].join("\n"),
};

let root: string;
let cacheDir: string;
let retriever: Retriever;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-definitions-"));
  cacheDir = await mkdtemp(join(tmpdir(), "coop-definitions-cache-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  retriever = await Retriever.open({ root, cacheDir });
  await retriever.index();
});

after(async () => {
  await retriever.dispose();
  await rm(root, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

/** What the retriever returns for a cursor at the end of `before` in a file of the workspace. */
async function retrieveAt(path: string, before: string, after = ""): Promise<RetrievedChunk[]> {
  const request = { document: `file:///${path}`, path, prefix: before, suffix: after };
  const cursorLine = before.split("\n").length - 1;
  const { query, from } = completionQuery(request, cursorLine);
  return retriever.query(query, { k: 5, from });
}

function holds(chunks: readonly RetrievedChunk[], path: string, text: string): boolean {
  return chunks.some((chunk) => chunk.path === path && chunk.text.includes(text));
}

describe("module syntax", () => {
  test("reads named, default, namespace and type imports, requires, re-exports and local exports", () => {
    const syntax = moduleSyntaxOf(
      [
        'import Default, { a, b as c, type T } from "./x.js";',
        'import * as ns from "pkg";',
        'const { d, e: f } = require("./y");',
        'export * from "./all.js";',
        'export * as space from "./space.js";',
        'export { g as h } from "./g.js";',
        "export { local as shown };",
        "export default class Main {}",
      ].join("\n"),
    );
    assert.deepEqual(
      syntax.imports.map(({ local, imported, specifier }) => `${local}=${imported}@${specifier}`),
      ["a=a@./x.js", "c=b@./x.js", "T=T@./x.js", "Default=default@./x.js", "ns=*@pkg", "d=d@./y", "f=e@./y"],
    );
    assert.deepEqual(syntax.reExports, [
      { specifier: "./all.js" },
      { specifier: "./space.js", namespace: "space" },
      { specifier: "./g.js", names: [{ exported: "h", imported: "g" }] },
    ]);
    assert.deepEqual(syntax.localExports, [
      { exported: "shown", local: "local" },
      { exported: "default", local: "Main" },
    ]);
  });
});

describe("definitions of imported names", () => {
  test("a workspace package's exports (its dist standing for src) and a re-export barrel", async () => {
    const chunks = await retrieveAt(
      "app/src/checkout.ts",
      'import { formatPrice } from "@shop/money";\n\nexport function label(cents: number) {\n  return ',
    );
    assert.ok(holds(chunks, "packages/money/src/format.ts", "export function formatPrice"));
  });

  test("a renamed re-export and a package subpath export", async () => {
    const chunks = await retrieveAt(
      "app/src/checkout.ts",
      'import { withTax } from "@shop/money";\nimport { roundToCents } from "@shop/money/rounding";\n\nconst x = ',
    );
    assert.ok(holds(chunks, "packages/money/src/tax.ts", "export function addTax"));
    assert.ok(holds(chunks, "packages/money/src/rounding.ts", "export function roundToCents"));
  });

  test("tsconfig paths and package.json imports", async () => {
    const chunks = await retrieveAt(
      "app/src/main.ts",
      'import { Cart } from "@app/cart";\nimport { loadConfig } from "#config";\n\nconst settings = ',
    );
    assert.ok(holds(chunks, "app/src/config.ts", "export function loadConfig"));
    assert.ok(holds(chunks, "app/src/cart.ts", "export class Cart"));
  });

  test("a name partly typed keeps only the imports it starts", async () => {
    const chunks = await retrieveAt(
      "app/src/main.ts",
      'import { Cart } from "@app/cart";\nimport { loadConfig } from "#config";\n\nconst settings = loadC',
    );
    assert.equal(chunks[0]?.path, "app/src/config.ts");
  });
});

describe("members of the receiver's type", () => {
  test("receivers and declared types are read from the text before the cursor", () => {
    assert.deepEqual(receiverBeforeCursor("  this.cart."), { chain: ["this", "cart"], partial: "" });
    assert.deepEqual(receiverBeforeCursor("  cart.chec"), { chain: ["cart"], partial: "chec" });
    assert.equal(receiverBeforeCursor("  load()."), undefined);
    assert.equal(declaredTypeName("cart", "function f(cart: Readonly<Cart>, n: number) {", ""), "Cart");
    assert.equal(declaredTypeName("cart", "function f(cart: shop.Cart, n: number) {", ""), "Cart");
    assert.equal(declaredTypeName("cart", "const cart = new Cart();", ""), "Cart");
  });

  test("after `x.` with `x: Cart`, the members of Cart come first, each as its own lines", async () => {
    const chunks = await retrieveAt(
      "app/src/main.ts",
      'import { Cart } from "@app/cart";\n\nexport function pay(cart: Cart) {\n  const total = cart.',
    );
    const top = chunks.slice(0, 3).map((chunk) => chunk.text.trim().split("\n")[0]);
    assert.deepEqual(
      new Set(top),
      new Set(["addLine(cents: number): void {", "checkoutTotal(): number {", "clearAll(): void {"]),
    );
  });

  test("after `ns.`, a namespace re-exported with `export * as` lists its module's exports", async () => {
    const chunks = await retrieveAt(
      "app/src/checkout.ts",
      'import { rounding } from "@shop/money";\n\nexport const total = rounding.',
    );
    assert.equal(chunks[0]?.path, "packages/money/src/rounding.ts");
    assert.match(chunks[0].text, /export function roundToCents/);
  });

  test("a member used in the file ranks first, and base classes' members follow through `extends`", async () => {
    const chunks = await retrieveAt(
      "app/src/service.ts",
      [
        'import { OrderRepository } from "./orders.js";',
        "",
        "export class Service {",
        "  private orders = new OrderRepository();",
        "  first() {",
        "    return this.orders.findById('1') + this.orders.findById('2');",
        "  }",
        "  second() {",
        "    return this.orders.",
      ].join("\n"),
    );
    assert.match(chunks[0]!.text, /findById/);
    assert.ok(holds(chunks, "app/src/orders.ts", "countOrders"));
  });
});

describe("grounding within the budget", () => {
  test("the definition meant reaches the prompt, not the whole chunk it is packed in", async () => {
    const request = {
      document: "file:///app/src/main.ts",
      path: "app/src/main.ts",
      prefix: 'import { Cart } from "@app/cart";\n\nexport function pay(cart: Cart) {\n  return cart.check',
      suffix: "\n}\n",
    };
    const grounded = await groundCompletion(retriever, request, 3, { budgetTokens: 40 });
    assert.ok(grounded.chunks.some((chunk) => chunk.text.includes("checkoutTotal(): number {")));
    assert.ok(grounded.chunks.every((chunk) => !chunk.text.includes("export class Cart")));
    assert.ok(grounded.report.keptTokens <= 40);
  });
});
