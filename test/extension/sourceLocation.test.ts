import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { locateSource } from "../../extension/chat/sourceLocation.js";

let dir: string;
let shop: string;
let docs: string;

before(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "coop-source-")));
  shop = join(dir, "shop");
  docs = join(dir, "docs");
  await mkdir(join(shop, "src"), { recursive: true });
  await mkdir(docs, { recursive: true });
  await writeFile(join(shop, "src", "invoice.ts"), "export const total = 1;\n");
  await writeFile(join(docs, "guide.md"), "# Guide\n");
  await writeFile(join(dir, "secret.txt"), "not in the workspace\n");
  await symlink(join(dir, "secret.txt"), join(shop, "src", "secret.ts"));
  await symlink(join(shop, "src", "invoice.ts"), join(shop, "src", "alias.ts"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("a source inside the workspace is found, with its links resolved", async () => {
  assert.deepEqual(await locateSource([shop], "src/invoice.ts"), { file: join(shop, "src", "invoice.ts") });
  assert.deepEqual(await locateSource([shop], "src/alias.ts"), { file: join(shop, "src", "invoice.ts") });
  assert.deepEqual(await locateSource([shop], "src/../src/invoice.ts"), {
    file: join(shop, "src", "invoice.ts"),
  });
});

test("a path with .. out of the workspace folders is refused, and nothing is opened", async () => {
  for (const path of ["../secret.txt", "../../../../../../etc/passwd", "src/../../secret.txt", ".."]) {
    const located = await locateSource([shop], path);
    assert.ok("refused" in located, `${path}: ${JSON.stringify(located)}`);
    assert.equal(located.refused, `${path} is not in the workspace folders, so Coop did not open it`);
  }
});

test("absolute paths and a link inside the workspace to a file outside it are refused", async () => {
  for (const path of [join(dir, "secret.txt"), "/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share\\x"])
    assert.ok("refused" in (await locateSource([shop], path)), path);
  assert.deepEqual(await locateSource([shop], "src/secret.ts"), {
    refused: "src/secret.ts is not in the workspace folders, so Coop did not open it",
  });
});

test("in a multi-root workspace every folder counts; a missing file or no folder says so", async () => {
  assert.deepEqual(await locateSource([shop, docs], "../docs/guide.md"), { file: join(docs, "guide.md") });
  assert.ok("refused" in (await locateSource([shop], "../docs/guide.md")));
  assert.deepEqual(await locateSource([shop], "src/gone.ts"), {
    missing: "src/gone.ts is no longer in the workspace",
  });
  assert.deepEqual(await locateSource([], "src/invoice.ts"), {
    refused: "no workspace folder is open to find src/invoice.ts in",
  });
});
