import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createHash } from "node:crypto";
import { DownloadVerificationError, downloadModel } from "../../engine/download/index.js";
import { serveFiles, type FileServer } from "../support/fileServer.js";
import { fixtures } from "../support/fixtures.js";

let dir: string;
let draft: string;
let draftSha256: string;
let draftSize: number;
let server: FileServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "coop-download-"));
  draft = (await fixtures()).draft;
  draftSha256 = createHash("sha256")
    .update(await readFile(draft))
    .digest("hex");
  draftSize = (await stat(draft)).size;
  const notAModel = join(dir, "not-a-model.gguf");
  await writeFile(notAModel, "<html>rate limited</html>");
  // Laid out as Hugging Face resolves hf:owner/repo/file URIs.
  server = await serveFiles({
    "/coop/tiny/resolve/main/draft.gguf": draft,
    "/coop/tiny/resolve/main/not-a-model.gguf": notAModel,
  });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("model downloads", () => {
  test("an hf: URI is downloaded through node-llama-cpp's downloader, verified, with progress, then reused", async () => {
    const destination = join(dir, "models", "hf", "coop", "tiny", "draft.gguf");
    const progress: { downloadedBytes: number; totalBytes: number }[] = [];
    const result = await downloadModel({
      uri: "hf:coop/tiny/draft.gguf",
      destination,
      sha256: draftSha256,
      size: draftSize,
      huggingFaceEndpoint: server.url,
      onProgress: (event) => progress.push(event),
    });
    assert.equal(result.downloaded, true);
    assert.equal(result.bytes, draftSize);
    assert.equal(
      createHash("sha256")
        .update(await readFile(destination))
        .digest("hex"),
      draftSha256,
    );
    assert.ok(
      progress.length > 0 && progress.at(-1)!.downloadedBytes === draftSize,
      "progress reaches the whole file",
    );
    assert.ok(!existsSync(`${destination}.partial`));
    const requestsBefore = server.requests.length;
    const again = await downloadModel({
      uri: "hf:coop/tiny/draft.gguf",
      destination,
      size: draftSize,
      huggingFaceEndpoint: server.url,
    });
    assert.equal(again.downloaded, false, "a complete file is not downloaded again");
    assert.equal(server.requests.length, requestsBefore);
  });

  test("a file whose sha256 differs from the catalog's is discarded with a clear error", async () => {
    const destination = join(dir, "wrong-hash", "draft.gguf");
    await assert.rejects(
      downloadModel({
        uri: "hf:coop/tiny/draft.gguf",
        destination,
        sha256: "0".repeat(64),
        huggingFaceEndpoint: server.url,
      }),
      (error: unknown) => {
        assert.ok(error instanceof DownloadVerificationError, String(error));
        assert.match(
          error.message,
          /hf:coop\/tiny\/draft\.gguf was discarded: its sha256 is [0-9a-f]{64}, the catalog says 0{64}/,
        );
        return true;
      },
    );
    assert.ok(
      !existsSync(destination) && !existsSync(`${destination}.partial`),
      "nothing is left to be loaded",
    );
  });

  test("what is served instead of a model (an error page) is never kept", async () => {
    const destination = join(dir, "html", "model.gguf");
    await assert.rejects(
      downloadModel({ uri: "hf:coop/tiny/not-a-model.gguf", destination, huggingFaceEndpoint: server.url }),
      DownloadVerificationError,
    );
    assert.ok(!existsSync(destination));
  });

  test("a cancelled download leaves no model file", async () => {
    const slow = await serveFiles(
      { "/coop/tiny/resolve/main/draft.gguf": draft },
      { bytesPerSecond: 2 * 1024 * 1024 },
    );
    try {
      const destination = join(dir, "cancelled", "draft.gguf");
      const controller = new AbortController();
      const download = downloadModel({
        uri: "hf:coop/tiny/draft.gguf",
        destination,
        huggingFaceEndpoint: slow.url,
        signal: controller.signal,
        onProgress: ({ downloadedBytes }) => {
          if (downloadedBytes > 1024 * 1024) controller.abort();
        },
      });
      await assert.rejects(download);
      assert.ok(!existsSync(destination), "a partial download is never at the model's path");
    } finally {
      await slow.close();
    }
  });
});
