import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LlamaEmbedder, Retriever, type Embedder } from "../../engine/retriever/index.js";
import { fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let root: string;
let cacheDir: string;
let embedder: LlamaEmbedder;

const files: Record<string, string> = {
  "src/tokenizer.js":
    "export function tokenize(text) {\n  return text.split(/\\s+/).filter((token) => token.length > 0);\n}\n",
  "src/matrix.js":
    "export function multiply(a, b) {\n  return a.map((row) => b[0].map((_, j) => row.reduce((sum, value, k) => sum + value * b[k][j], 0)));\n}\n",
  "src/server.js":
    "import http from 'node:http';\nexport function listen(port) {\n  return http.createServer((request, response) => response.end('ok')).listen(port);\n}\n",
};

/** Wraps an embedder, counting the texts it is asked to embed. */
function counting(inner: Embedder): Embedder & { texts: () => number } {
  let embedded = 0;
  return {
    id: inner.id,
    dimension: inner.dimension,
    texts: () => embedded,
    embed: (texts: string[]) => ((embedded += texts.length), inner.embed(texts)),
  };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    na += a[index]! ** 2;
    nb += b[index]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-retriever-embed-ws-"));
  cacheDir = await mkdtemp(join(tmpdir(), "coop-retriever-embed-cache-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  embedder = await LlamaEmbedder.load(await testRuntime(), (await fixtures()).embedding);
});

after(async () => {
  await embedder.dispose();
  await disposeTestRuntime();
  await rm(root, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

describe("embeddings through node-llama-cpp", () => {
  test("the embedder returns one vector of its dimension per text, similar code closer", async () => {
    const [a, b, c] = await embedder.embed([
      files["src/matrix.js"]!,
      "row.reduce((sum, value) => sum + value * b[k][j], 0)",
      files["src/server.js"]!,
    ]);
    assert.ok(embedder.dimension > 0);
    for (const vector of [a!, b!, c!]) assert.equal(vector.length, embedder.dimension);
    assert.ok(cosine(a!, b!) > cosine(b!, c!), `${cosine(a!, b!)} vs ${cosine(b!, c!)}`);
  });

  test("a text longer than the embedding context is cut to fit rather than refused", async () => {
    const [vector] = await embedder.embed(["const value = compute(value);\n".repeat(2000)]);
    assert.equal(vector?.length, embedder.dimension);
    assert.ok(vector.some((value) => value !== 0));
  });

  test("the retriever fuses vector similarity with the lexical rank and says so", async () => {
    const wrapped = counting(embedder);
    const retriever = await Retriever.open({ root, cacheDir, embedder: wrapped });
    await retriever.index();
    assert.equal(wrapped.texts(), retriever.chunkCount);
    const vector = await retriever.embedQuery("http server listening on a port");
    assert.equal(vector?.length, embedder.dimension);
    const results = await retriever.query("http server listening on a port", { k: 3, vector });
    assert.equal(results[0]?.path, "src/server.js");
    assert.ok(
      results[0].why.some((reason) => reason.startsWith("lexical: ")),
      results[0].why.join("; "),
    );
    assert.ok(
      results[0].why.some((reason) => /^vector: 0\.\d+$/.test(reason)),
      results[0].why.join("; "),
    );
    await retriever.dispose();
  });

  test("stored vectors are reused on reopening; only a changed file's chunks are embedded again", async () => {
    const wrapped = counting(embedder);
    const reopened = await Retriever.open({ root, cacheDir, embedder: wrapped });
    await reopened.index();
    assert.equal(wrapped.texts(), 0);
    await writeFile(
      join(root, "src/tokenizer.js"),
      files["src/tokenizer.js"]! + "export const separator = ' ';\n",
    );
    await reopened.update("src/tokenizer.js");
    assert.ok(
      wrapped.texts() >= 1 && wrapped.texts() < reopened.chunkCount,
      `${wrapped.texts()} of ${reopened.chunkCount}`,
    );
    const results = await reopened.query("split text into tokens", { k: 1 });
    assert.equal(results[0]?.path, "src/tokenizer.js");
    assert.ok(results[0].why.some((reason) => reason.startsWith("vector: ")));
    await reopened.dispose();
  });
});
