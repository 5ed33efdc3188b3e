import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { UnknownVariantError } from "../../engine/catalog/index.js";
import { CoopError, coopErrorCodes, errorCodeOf, hasCode } from "../../engine/errors/index.js";
import { EngineRequestError } from "../../engine/host/client/index.js";
import { parseHostMessage, serializeError } from "../../engine/host/contract/index.js";
import type { EngineHostClient } from "../../engine/host/index.js";
import { modelsNotDownloaded } from "../../extension/engine/loadFailure.js";
import { coopCacheDir } from "../support/cacheDir.js";
import { testEngineHost } from "../support/engineHost.js";
import { repoRoot } from "../support/repoRoot.js";

/** What the extension host receives for an error the engine process sent: through JSON, as on the pipe. */
function overTheWire(error: unknown): unknown {
  const message = parseHostMessage(
    JSON.parse(JSON.stringify({ kind: "error", id: 1, error: serializeError(error) })),
  );
  assert.equal(message?.kind, "error");
  const { name, message: text, code } = message.error;
  return new EngineRequestError(name, text, code);
}

describe("error codes across the engine host's RPC", () => {
  test("a typed error keeps its code, name and message; one without a Coop code arrives as internal", () => {
    const typed = overTheWire(new UnknownVariantError("nope", { variants: new Map() } as never));
    assert.ok(typed instanceof CoopError);
    assert.equal(typed.code, coopErrorCodes.unknownVariant);
    assert.equal(typed.name, "UnknownVariantError");
    assert.match(typed.message, /no variant 'nope'/);
    const plain = overTheWire(new Error("an invariant broke"));
    assert.equal(errorCodeOf(plain), coopErrorCodes.internal);
    const node = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
    assert.equal(errorCodeOf(overTheWire(node)), coopErrorCodes.internal, "only Coop's codes cross");
    assert.equal(errorCodeOf(overTheWire("a thrown string")), coopErrorCodes.internal);
  });

  describe("thrown in the engine process", () => {
    let host: EngineHostClient;
    let dir: string;
    const shipped = join(repoRoot, "models.json");

    before(async () => {
      host = testEngineHost();
      dir = await mkdtemp(join(tmpdir(), "coop-host-errors-"));
    });

    after(async () => {
      await host.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    const load = (variantId: string, catalogFiles: string[]) =>
      host
        .loadCatalogVariant({
          variantId,
          catalogFiles,
          cacheDir: coopCacheDir(),
          modelsDir: join(dir, "models"),
          gpu: "cpu",
        })
        .then(
          () => assert.fail(`${variantId} should not load`),
          (error: unknown) => error,
        );

    test("an unknown variant arrives with its code", async () => {
      const error = await load("no-such-variant", [shipped]);
      assert.ok(host.pid !== undefined && host.pid !== process.pid, "it was thrown in another process");
      assert.ok(hasCode(error, coopErrorCodes.unknownVariant), String(error));
      assert.equal((error as Error).name, "UnknownVariantError");
    });

    test("a catalog file that cannot be read arrives with its code", async () => {
      const error = await load("coop-tiny", [shipped, join(dir, "missing.json")]);
      assert.ok(hasCode(error, coopErrorCodes.catalogUnreadable), String(error));
    });

    test("models not downloaded arrive as model-not-available: the extension offers the download", async () => {
      const catalog = join(dir, "user-models.json");
      const model = { id: "absent", uri: "hf:coop/absent/model.gguf", role: "target", family: "coop-tiny" };
      const variant = { id: "absent", label: "Absent", description: "Not downloaded.", target: "absent" };
      await writeFile(catalog, JSON.stringify({ version: 1, models: [model], variants: [variant] }));
      const error = await load("absent", [shipped, catalog]);
      assert.ok(hasCode(error, coopErrorCodes.modelNotAvailable), String(error));
      assert.ok(modelsNotDownloaded({ error: String(error), errorCode: errorCodeOf(error) }));
    });
  });
});
