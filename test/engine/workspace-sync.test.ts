import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { WorkspaceCooperators } from "../../engine/cooperators/index.js";
import { CooperativeEngine } from "../../engine/host/index.js";

let dir: string;
let root: string;
let cooperators: WorkspaceCooperators;

async function write(base: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), text);
  }
}

async function retrievedPaths(query: string): Promise<string[]> {
  return (await cooperators.retriever.query(query, { k: 10 })).map((chunk) => chunk.path);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "coop-workspace-sync-"));
  root = join(dir, "workspace");
  await write(root, {
    "package.json": '{"name":"sync"}',
    "src/cart.ts": "export function cartTotal(prices: number[]): number {\n  return prices.length;\n}\n",
  });
  await write(join(dir, "outside"), {
    "secret.ts": "export function outsideSecretLedger(): number {\n  return 42;\n}\n",
  });
  cooperators = await WorkspaceCooperators.open(root, join(dir, "cache"));
});

after(async () => {
  await cooperators.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("workspace changes from the editor", () => {
  test("a file written on disk is retrieved and its definitions count for the detector", async () => {
    const path = join(root, "src/shipping.ts");
    await write(root, {
      "src/shipping.ts":
        "export function shippingQuoteForParcel(weight: number): number {\n  return weight * 3;\n}\n",
    });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("shippingQuoteForParcel"), false);
    const result = await cooperators.applyChanges({ written: [path] });
    assert.deepEqual(result, { applied: 1, ignored: [] });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("shippingQuoteForParcel"), true);
    assert.ok((await retrievedPaths("shippingQuoteForParcel weight")).includes("src/shipping.ts"));
  });

  test("an unsaved document's text replaces its file's until it is closed", async () => {
    const path = join(root, "src/cart.ts");
    const edited =
      "export function cartTotalWithTax(prices: number[]): number {\n  return prices.length * 2;\n}\n";
    await cooperators.applyChanges({
      edited: [{ path, text: edited, editedLines: [{ startLine: 0, endLine: 0 }] }],
    });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("cartTotalWithTax"), true);
    assert.equal(cooperators.detectorWorkspace.hasSymbol("cartTotal"), false);
    assert.equal(cooperators.editor.editorText(path), edited);

    // A write while the editor holds unsaved text does not replace what the user sees.
    await cooperators.applyChanges({ written: [path] });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("cartTotalWithTax"), true);

    await cooperators.applyChanges({ closed: [path] });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("cartTotal"), true);
    assert.equal(cooperators.detectorWorkspace.hasSymbol("cartTotalWithTax"), false);
    assert.equal(cooperators.editor.editorText(path), undefined);
  });

  test("the document listeners hear the editor's text, and the disk's after a close", async () => {
    const path = join(root, "src/cart.ts");
    const heard: [string, string | undefined][] = [];
    const subscription = cooperators.editor.onDocument((changed, text) => heard.push([changed, text]));
    try {
      await cooperators.applyChanges({
        edited: [{ path, text: "export const draft = 1;\n", editedLines: [] }],
      });
      await cooperators.applyChanges({ closed: [path] });
    } finally {
      subscription.dispose();
    }
    assert.deepEqual(heard, [
      [path, "export const draft = 1;\n"],
      [path, undefined],
    ]);
  });

  test("a deleted file leaves the retriever and the detector", async () => {
    const path = join(root, "src/refunds.ts");
    await write(root, {
      "src/refunds.ts":
        "export function refundPartialOrder(amount: number): number {\n  return -amount;\n}\n",
    });
    await cooperators.applyChanges({ written: [path] });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("refundPartialOrder"), true);
    await unlink(path);
    await cooperators.applyChanges({ deleted: [path] });
    assert.equal(cooperators.detectorWorkspace.hasSymbol("refundPartialOrder"), false);
    assert.ok(!(await retrievedPaths("refundPartialOrder amount")).includes("src/refunds.ts"));
  });

  test("paths outside the workspace, relative paths and links out of it are not read", async () => {
    const outside = join(dir, "outside/secret.ts");
    const link = join(root, "src/linked.ts");
    await symlink(outside, link);
    const result = await cooperators.applyChanges({
      written: [outside, "src/cart.ts", link],
      edited: [{ path: outside, text: "export function outsideEdited() {}\n", editedLines: [] }],
    });
    assert.equal(result.applied, 1);
    assert.equal(result.ignored.length, 3);
    assert.ok(result.ignored.some((reason) => reason.includes("outside the workspace")));
    assert.ok(result.ignored.some((reason) => reason.includes("not an absolute path")));
    assert.equal(cooperators.detectorWorkspace.hasSymbol("outsideSecretLedger"), false);
    assert.equal(cooperators.detectorWorkspace.hasSymbol("outsideEdited"), false);
    assert.ok(!(await retrievedPaths("outsideSecretLedger")).includes("src/linked.ts"));
  });

  test("a change of the wrong shape is ignored with its reasons, never thrown", async () => {
    const result = await cooperators.applyChanges({
      written: "src/cart.ts",
      edited: [{ path: join(root, "src/cart.ts"), text: 7 }, null],
      deleted: [3],
    } as never);
    assert.equal(result.applied, 0);
    assert.deepEqual(
      result.ignored.sort(),
      [
        "deleted: a path that is not text",
        "edited: a document that is not an object",
        `edited: ${join(root, "src/cart.ts")} (its text is not text)`,
        "written: not a list of paths",
      ].sort(),
    );
  });
});

describe("the engine's workspaceChanged", () => {
  test("is a no-op before a workspace is open, and reaches the open workspace after", async () => {
    const engine = new CooperativeEngine();
    try {
      assert.deepEqual(await engine.workspaceChanged({ written: [join(root, "src/cart.ts")] }), {
        applied: 0,
        ignored: [],
      });
      await engine.openWorkspace({ root, cacheDir: join(dir, "engine-cache") });
      const result = await engine.workspaceChanged({ openFiles: [join(root, "src/cart.ts")], deleted: [] });
      assert.deepEqual(result, { applied: 0, ignored: [] });
      await assert.rejects(engine.workspaceChanged(null as never), /must be an object/);
    } finally {
      await engine.dispose();
    }
  });
});
