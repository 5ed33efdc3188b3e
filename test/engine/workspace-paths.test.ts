import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { workspaceFromFiles } from "../../engine/detector/index.js";
import { Retriever, walkWorkspace } from "../../engine/retriever/index.js";
import { WorkspaceRootError, checkWorkspaceRoot } from "../../engine/workspace/index.js";

let dir: string;
/** The workspace: its own files, and links into it and out of it. */
let root: string;
/** Beside the workspace, where the links out of it lead. */
let outside: string;

async function write(base: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), text);
  }
}

const ledgerSource =
  "export function reconcileLedgerBalance(entries: number[]): number {\n  return entries.reduce((sum, entry) => sum + entry, 0);\n}\n";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "coop-paths-"));
  root = join(dir, "shop");
  outside = join(dir, "elsewhere");
  await write(root, {
    "package.json": JSON.stringify({ name: "shop", dependencies: { lodash: "^4" } }),
    "src/invoice.ts": "export function computeInvoiceTotal(prices: number[]): number {\n  return 0;\n}\n",
  });
  await write(outside, {
    "ledger.ts": ledgerSource,
    "lib/secret.ts": "export const reconcileLedgerSecret = 42;\n",
    "package.json": JSON.stringify({ name: "outside", dependencies: { "left-pad": "^1" } }),
    "node_modules/outside-types/package.json": JSON.stringify({ name: "outside-types", types: "index.d.ts" }),
    "node_modules/outside-types/index.d.ts": "export declare function fromOutside(): void;\n",
  });
  await mkdir(join(root, "node_modules"), { recursive: true });
  await symlink(join(outside, "ledger.ts"), join(root, "src", "ledger.ts")); // a file out of the root
  await symlink(join(outside, "lib"), join(root, "vendor")); // a folder out of the root
  await symlink(join(root, "src", "invoice.ts"), join(root, "src", "invoice-alias.ts")); // stays inside
  await symlink(root, join(root, "src", "loop")); // a folder link back up: a cycle if followed
  await symlink(join(outside, "node_modules", "outside-types"), join(root, "node_modules", "outside-types"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("symbolic links out of the workspace", () => {
  test("the walk reads no file through a link out of the root, follows a link that stays in, and does not loop", async () => {
    const paths: string[] = [];
    const outsideLinks: string[] = [];
    for await (const file of walkWorkspace(root, { onLinkOutside: (path) => outsideLinks.push(path) }))
      paths.push(file.path);
    assert.deepEqual(paths, ["package.json", "src/invoice-alias.ts", "src/invoice.ts"]);
    assert.deepEqual(outsideLinks.sort(), ["src/ledger.ts", "vendor"]);
  });

  test("the retriever does not index a linked file from outside, says why, and never returns it", async () => {
    const retriever = await Retriever.open({ root, cacheDir: join(dir, "cache-index") });
    try {
      const summary = await retriever.index();
      assert.deepEqual(
        summary.skipped.filter((skip) => skip.reason === "outside the workspace").map((skip) => skip.path),
        ["src/ledger.ts", "vendor"],
      );
      const found = await retriever.query("reconcileLedgerBalance entries ledger balance", { k: 10 });
      assert.ok(
        found.every((chunk) => !chunk.text.includes("reconcileLedger")),
        found.map((chunk) => chunk.path).join(", "),
      );
      assert.equal(retriever.symbols.has("reconcileLedgerBalance"), false);

      // Re-indexing the link by name, or a path out of the root, reads nothing either.
      await retriever.update(join(root, "src", "ledger.ts"));
      await retriever.update("../elsewhere/ledger.ts");
      await retriever.update(join(root, "vendor", "secret.ts"));
      const again = await retriever.query("reconcileLedgerBalance reconcileLedgerSecret", { k: 10 });
      assert.ok(again.every((chunk) => !chunk.text.includes("reconcileLedger")));
    } finally {
      await retriever.dispose();
    }
  });

  test("the same file inside the workspace is found by that query (so the test above can fail)", async () => {
    const inside = join(dir, "inside");
    await write(inside, { "src/ledger.ts": ledgerSource });
    const retriever = await Retriever.open({ root: inside, cacheDir: join(dir, "cache-inside") });
    try {
      await retriever.index();
      const found = await retriever.query("reconcileLedgerBalance entries ledger balance", { k: 10 });
      assert.equal(found[0]?.path, "src/ledger.ts");
    } finally {
      await retriever.dispose();
    }
  });

  test("the detector reads no manifest through a link out of the root, but installed packages' names", async () => {
    const linked = join(dir, "linked-manifest");
    await mkdir(linked, { recursive: true });
    await symlink(join(outside, "package.json"), join(linked, "package.json"));
    await mkdir(join(linked, "node_modules"));
    await symlink(
      join(outside, "node_modules", "outside-types"),
      join(linked, "node_modules", "outside-types"),
    );
    const workspace = await workspaceFromFiles([], { root: linked });
    assert.equal(workspace.declaredDependencies().npm.has("left-pad"), false, "outside package.json read");
    // An installed package is read through a link, as Node resolves it, for its exported names only.
    assert.deepEqual(
      [...(workspace.moduleExports("index.ts", "outside-types", "typescript") ?? [])],
      ["fromOutside"],
    );

    // The same package copied into the root is read: the check above is about the link.
    const copied = join(dir, "copied-package");
    await write(copied, {
      "package.json": JSON.stringify({ name: "copied", dependencies: { "left-pad": "^1" } }),
      "node_modules/outside-types/package.json": JSON.stringify({
        name: "outside-types",
        types: "index.d.ts",
      }),
      "node_modules/outside-types/index.d.ts": "export declare function fromOutside(): void;\n",
    });
    const readable = await workspaceFromFiles([], { root: copied });
    assert.equal(readable.declaredDependencies().npm.has("left-pad"), true);
    assert.deepEqual(
      [...(readable.moduleExports("index.ts", "outside-types", "typescript") ?? [])],
      ["fromOutside"],
    );
  });
});

describe("workspace roots", () => {
  test("a missing root, a file, or a relative path is refused with a typed error naming the root", async () => {
    const missing = join(dir, "no-such-folder");
    await assert.rejects(checkWorkspaceRoot(missing), (error: unknown) => {
      assert.ok(error instanceof WorkspaceRootError);
      assert.equal(error.problem, "missing");
      assert.match(error.message, /no-such-folder: it does not exist/);
      return true;
    });
    await assert.rejects(
      Retriever.open({ root: join(root, "package.json"), cacheDir: join(dir, "cache-file") }),
      (error: unknown) => error instanceof WorkspaceRootError && error.problem === "not a folder",
    );
    await assert.rejects(
      checkWorkspaceRoot("shop"),
      (error: unknown) => error instanceof WorkspaceRootError && error.problem === "not absolute",
    );
    await assert.rejects(
      checkWorkspaceRoot(42),
      (error: unknown) => error instanceof WorkspaceRootError && error.problem === "not a path",
    );
  });
});
