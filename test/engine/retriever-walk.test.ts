import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  isWorkspacePathIgnored,
  walkWorkspace,
  type WalkOptions,
} from "../../engine/retriever/workspaceFiles.js";

let root: string;

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

async function walked(options?: WalkOptions): Promise<string[]> {
  const paths: string[] = [];
  for await (const file of walkWorkspace(root, options)) paths.push(file.path);
  return paths;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-walk-"));
  await write({
    ".gitignore": "*.log\n/generated/\n",
    "src/main.ts": "export const a = 1;\n",
    "src/debug.log": "noise\n",
    "src/.gitignore": "secret*.ts\n!keep.log\n",
    "src/secret1.ts": "x\n",
    "src/keep.log": "kept by the nested negation\n",
    "src/deep/.gitignore": "!secret2.ts\n",
    "src/deep/secret2.ts": "re-included deeper\n",
    "src/deep/secret3.txt": "not matched\n",
    "generated/out.ts": "x\n",
    "lib/generated/real.ts": "anchored pattern does not reach here\n",
    "node_modules/pkg/index.js": "x\n",
    "dist/bundle.js": "x\n",
    "app.min.js": "x\n",
    "package-lock.json": "{}\n",
  });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("walking a workspace", () => {
  test("respects root and nested .gitignore files, deeper rules winning, and the default ignores", async () => {
    assert.deepEqual(await walked(), [
      ".gitignore",
      "lib/generated/real.ts",
      "src/.gitignore",
      "src/deep/.gitignore",
      "src/deep/secret2.ts",
      "src/deep/secret3.txt",
      "src/keep.log",
      "src/main.ts",
    ]);
  });

  test("default ignores can be replaced and extra patterns added", async () => {
    const paths = await walked({ defaultIgnores: [], extraIgnores: ["*.json", "dist/"] });
    assert.ok(paths.includes("node_modules/pkg/index.js"));
    assert.ok(paths.includes("app.min.js"));
    assert.ok(!paths.includes("dist/bundle.js"));
    assert.ok(!paths.includes("package-lock.json"));
  });

  test("reports size and modification time", async () => {
    let found = false;
    for await (const file of walkWorkspace(root)) {
      if (file.path !== "src/main.ts") continue;
      found = true;
      assert.equal(file.size, "export const a = 1;\n".length);
      assert.ok(file.mtimeMs > 0);
      assert.equal(file.absolutePath, join(root, "src/main.ts"));
    }
    assert.ok(found);
  });

  test("one path is judged by the same rules as the walk", async () => {
    assert.equal(await isWorkspacePathIgnored(root, "src/secret1.ts"), true);
    assert.equal(await isWorkspacePathIgnored(root, "src/deep/secret2.ts"), false);
    assert.equal(await isWorkspacePathIgnored(root, "src/debug.log"), true);
    assert.equal(await isWorkspacePathIgnored(root, "src/keep.log"), false);
    assert.equal(await isWorkspacePathIgnored(root, "generated/out.ts"), true);
    assert.equal(await isWorkspacePathIgnored(root, "node_modules/pkg/index.js"), true);
    assert.equal(await isWorkspacePathIgnored(root, "src/main.ts"), false);
  });
});
