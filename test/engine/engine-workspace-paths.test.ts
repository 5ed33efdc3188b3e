import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CooperativeEngine,
  WorkspaceRootError,
  type ChatEvent,
  type EngineChatRequest,
  type VariantSpec,
} from "../../engine/host/index.js";
import { testEngineHost } from "../support/engineHost.js";
import { fixtures } from "../support/fixtures.js";

let dir: string;
/** A workspace whose src/ledger.ts is a link to a file outside it. */
let linked: string;
/** A workspace holding the same ledger.ts as its own file. */
let holding: string;
let variant: VariantSpec;

const ledgerSource =
  "export function reconcileLedgerBalance(entries: number[]): number {\n  return entries.reduce((sum, entry) => sum + entry, 0);\n}\n";
const invoiceSource =
  "export function computeInvoiceTotal(items: { price: number; quantity: number }[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n";

const question: EngineChatRequest = {
  messages: [{ role: "user", content: "How does reconcileLedgerBalance add up the ledger entries?" }],
  maxTokens: 8,
};

async function write(base: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), text);
  }
}

before(async () => {
  const set = await fixtures();
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  dir = await mkdtemp(join(tmpdir(), "coop-engine-paths-"));
  linked = join(dir, "linked");
  holding = join(dir, "holding");
  await write(join(dir, "elsewhere"), { "ledger.ts": ledgerSource });
  await write(linked, { "package.json": '{"name":"linked"}', "src/invoice.ts": invoiceSource });
  await symlink(join(dir, "elsewhere", "ledger.ts"), join(linked, "src", "ledger.ts"));
  await write(holding, {
    "package.json": '{"name":"holding"}',
    "src/invoice.ts": invoiceSource,
    "src/ledger.ts": ledgerSource,
  });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sourcePaths(events: ChatEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === "sources" ? event.sources.map((source) => source.path) : [],
  );
}

describe("workspace paths through the engine's API", () => {
  test("a linked file from outside the workspace is not indexed and never a chat source; a failed open keeps the previous index", async () => {
    const engine = new CooperativeEngine();
    try {
      await engine.loadVariant(variant);
      assert.deepEqual(await engine.openWorkspace({ root: linked, cacheDir: join(dir, "index-linked") }), {
        files: 2,
      });
      const events: ChatEvent[] = [];
      const answer = await engine.chat(question, undefined, (event) => events.push(event));
      assert.ok(
        answer.sources.every((source) => source.path !== "src/ledger.ts"),
        JSON.stringify(answer.sources),
      );
      assert.ok(!sourcePaths(events).includes("src/ledger.ts"));

      // The same file as the workspace's own is a source of that question: the check above can fail.
      assert.deepEqual(await engine.openWorkspace({ root: holding, cacheDir: join(dir, "index-holding") }), {
        files: 3,
      });
      const held = await engine.chat(question);
      assert.ok(
        held.sources.some((source) => source.path === "src/ledger.ts"),
        JSON.stringify(held.sources),
      );

      const missing = join(dir, "gone");
      await assert.rejects(
        engine.openWorkspace({ root: missing, cacheDir: join(dir, "index-gone") }),
        (error: unknown) =>
          error instanceof WorkspaceRootError &&
          error.problem === "missing" &&
          error.message.includes(missing),
      );
      await assert.rejects(
        engine.openWorkspace({ root: join(holding, "package.json"), cacheDir: join(dir, "index-file") }),
        { name: "WorkspaceRootError", message: /is not a folder/ },
      );
      const after = await engine.chat(question);
      assert.deepEqual(after.sources, held.sources, "the open workspace's index answers as before");
    } finally {
      await engine.dispose();
    }
  });

  test("through the engine host: a missing root is refused with its typed error, and the open index keeps answering", async () => {
    const host = testEngineHost();
    try {
      await host.loadVariant(variant);
      await host.openWorkspace({ root: holding, cacheDir: join(dir, "index-host") });
      const before = await host.chat(question);
      assert.ok(before.sources.some((source) => source.path === "src/ledger.ts"));
      await assert.rejects(
        host.openWorkspace({ root: join(dir, "gone"), cacheDir: join(dir, "index-gone") }),
        {
          name: "WorkspaceRootError",
          message: /gone: it does not exist/,
        },
      );
      assert.deepEqual((await host.chat(question)).sources, before.sources);
      assert.equal(host.state, "running");
    } finally {
      await host.dispose();
    }
  });
});
