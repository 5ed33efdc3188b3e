// npm run bench -- merge [--gib N]: merge throughput against a plain copy of the same bytes, and peak memory.
// Generates a base and two inputs of ≥1 GB each (F16, a few big tensors) in a temp dir, times a streamed
// copy of one file, a linear merge of the two inputs, and TIES, DARE-TIES and SCE merges over the base in
// the same run, and writes bench-results/merge.json. The temp files are deleted afterwards. Peak RSS is the
// process's maximum so far, so each figure also covers everything before it. CPU seconds (both threads) tell
// a merge's own work from time lost to a busy machine. When llama-quantize is built
// (scripts/build-llama-server.sh), it also compares Coop's quantizers with it (quantized.<type>).
import { open, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { GgmlType, GgufWriter, encodeTensor, gguf } from "../engine/gguf/index.js";
import { mergeModels, type MergeJob, type MergeSummary } from "../engine/merge/index.js";
import { compareWithLlamaQuantize } from "./support/quantizedComparison.js";
import { printTable, writeBenchResults } from "./support/results.js";

const { values } = parseArgs({ options: { gib: { type: "string", default: "1" } } });
const gib = Number(values.gib);
if (!(gib > 0)) throw new Error(`--gib must be a positive number, not '${values.gib}'`);

const WIDTH = 8192;
const ROWS = 8192;
const TENSOR_BYTES = WIDTH * ROWS * 2;
const TENSORS = Math.max(1, Math.ceil((gib * 2 ** 30) / TENSOR_BYTES));
const ROWS_PER_CHUNK = 256;

/** Deterministic floats in [-1, 1) (xorshift32), cheap enough to fill gigabytes. */
function fillRandom(out: Float32Array, seed: number): void {
  let state = seed | 1;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = (state >>> 0) / 2147483648 - 1;
  }
}

async function generateModel(path: string, seed: number): Promise<void> {
  const writer = await GgufWriter.create(path, { bufferSize: 8 << 20 });
  try {
    writer.setMetadata("general.architecture", gguf.str("llama"));
    writer.setMetadata("general.name", gguf.str(`bench-${seed}`));
    writer.setMetadata("tokenizer.ggml.model", gguf.str("gpt2"));
    writer.setMetadata("tokenizer.ggml.tokens", gguf.strings(["a", "b"]));
    for (let t = 0; t < TENSORS; t++) {
      writer.addTensor(`blk.${t}.attn_norm.weight`, [WIDTH], GgmlType.F32);
      writer.addTensor(`blk.${t}.ffn_up.weight`, [WIDTH, ROWS], GgmlType.F16);
    }
    const chunk = new Float32Array(WIDTH * ROWS_PER_CHUNK);
    for (let t = 0; t < TENSORS; t++) {
      const norm = new Float32Array(WIDTH);
      fillRandom(norm, seed * 1000 + t);
      await writer.writeTensor(`blk.${t}.attn_norm.weight`, norm);
      for (let row = 0; row < ROWS; row += ROWS_PER_CHUNK) {
        fillRandom(chunk, seed * 1_000_003 + t * 10_007 + row + 1);
        await writer.writeTensorChunk(`blk.${t}.ffn_up.weight`, encodeTensor(GgmlType.F16, chunk));
      }
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** A streamed read-and-write copy (no copy_file_range shortcut), the I/O floor a merge cannot beat. */
async function plainCopy(from: string, to: string): Promise<number> {
  const started = performance.now();
  const source = await open(from, "r");
  const target = await open(to, "w");
  try {
    const buffer = new Uint8Array(8 << 20);
    for (let position = 0; ;) {
      const { bytesRead } = await source.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      await target.write(buffer, 0, bytesRead);
      position += bytesRead;
    }
    await target.sync();
  } finally {
    await source.close();
    await target.close();
  }
  return (performance.now() - started) / 1000;
}

const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

const dir = await mkdtemp(join(tmpdir(), "coop-merge-bench-"));
try {
  const [base, a, b] = ["base", "a", "b"].map((name) => join(dir, `${name}.gguf`)) as [
    string,
    string,
    string,
  ];
  const generationStarted = performance.now();
  for (const [i, path] of [base, a, b].entries()) await generateModel(path, i + 1);
  const fileBytes = (await stat(a)).size;
  console.log(
    `generated 3 x ${(fileBytes / 2 ** 30).toFixed(2)} GiB (${TENSORS} tensors of ${WIDTH}x${ROWS} F16) in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s`,
  );
  const rssBeforeMerges = maxRssBytes();

  const copySeconds = await plainCopy(a, join(dir, "copy.gguf"));
  await rm(join(dir, "copy.gguf"));

  /** One merge into the temp dir (the output deleted after), with its CPU seconds and the peak RSS so far. */
  const timedMerge = async (
    method: MergeJob["method"],
    withBase: boolean,
    density: number | undefined,
    params?: MergeJob["params"],
  ): Promise<{ summary: MergeSummary; cpuSeconds: number; peakRss: number }> => {
    const cpuBefore = process.cpuUsage();
    const path = join(dir, `${method}.gguf`);
    const summary = await mergeModels({
      method,
      ...(withBase ? { base } : {}),
      inputs: [
        { path: a, weight: 1, density },
        { path: b, weight: 1, density },
      ],
      ...(params ? { params } : {}),
      output: { kind: "model", path, type: "F16" },
    });
    const cpu = process.cpuUsage(cpuBefore);
    const peakRss = maxRssBytes();
    await rm(path);
    return { summary, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRss };
  };
  const linearRun = await timedMerge("linear", false, undefined);
  const tiesRun = await timedMerge("ties", true, 0.5);
  const dareTiesRun = await timedMerge("dare_ties", true, 0.5);
  // mergekit's default select_topk (1), then 0.1, whose selection by variance adds two statistics passes.
  const sceRun = await timedMerge("sce", true, undefined);
  const sceSelectRun = await timedMerge("sce", true, undefined, { selectTopK: 0.1 });
  const [linear, ties] = [linearRun.summary, tiesRun.summary];
  const peakRssLinear = linearRun.peakRss;
  const peakRssTies = tiesRun.peakRss;

  const throughput = (summary: MergeSummary): number => summary.bytesWritten / summary.seconds;
  const copyThroughput = fileBytes / copySeconds;
  const ratio = (summary: MergeSummary): number => throughput(summary) / copyThroughput;
  const mib = (bytes: number): number => bytes / 2 ** 20;
  const row = (
    run: string,
    { summary, cpuSeconds, peakRss }: Awaited<ReturnType<typeof timedMerge>>,
  ): Record<string, string | number> => ({
    run,
    seconds: summary.seconds,
    "CPU s": cpuSeconds,
    "MiB/s": mib(throughput(summary)),
    "ratio vs copy": ratio(summary),
    "peak RSS MiB": mib(peakRss),
  });
  printTable([
    {
      run: "plain copy",
      seconds: copySeconds,
      "CPU s": "",
      "MiB/s": mib(copyThroughput),
      "ratio vs copy": 1,
      "peak RSS MiB": mib(rssBeforeMerges),
    },
    row("linear (2 inputs)", linearRun),
    row("ties (base + 2)", tiesRun),
    row("dare_ties (base + 2)", dareTiesRun),
    row("sce (base + 2)", sceRun),
    row("sce select_topk 0.1", sceSelectRun),
  ]);
  const linearThroughputRatio = ratio(linear);
  console.log(
    `\nlinear merge runs at ${(linearThroughputRatio * 100).toFixed(0)}% of copy speed (goal >= 50%)`,
  );
  console.log(
    `peak RSS through the linear merge ${mib(peakRssLinear).toFixed(0)} MiB; largest tensor ${mib(TENSOR_BYTES).toFixed(0)} MiB (goal: under 2 x largest tensor + a constant)`,
  );
  console.log(`peak RSS through the TIES, DARE-TIES and SCE merges ${mib(sceRun.peakRss).toFixed(0)} MiB`);
  const quantized = await compareWithLlamaQuantize(dir);
  if (quantized !== undefined) {
    console.log("\nquantizers against llama-quantize on the same tensors (4 x 4096x64 weight-like F32):");
    printTable(
      Object.entries(quantized).map(([type, result]) => ({
        type,
        "coop RMSE": result.coopRmse.toExponential(4),
        "llama-quantize RMSE": result.llamaQuantizeRmse.toExponential(4),
        "ratio (goal <= 1.02)": result.rmseVsLlamaQuantize.toFixed(4),
        "same bytes": result.identicalBytes ? "yes" : "no",
        "coop encode s": result.coopEncodeSeconds,
        "llama-quantize s": result.llamaQuantizeSeconds,
      })),
    );
  }
  const path = await writeBenchResults("merge", {
    fileBytes,
    tensors: TENSORS * 2,
    largestTensorBytes: TENSOR_BYTES,
    copySeconds,
    copyBytesPerSecond: copyThroughput,
    linearSeconds: linear.seconds,
    linearBytesPerSecond: throughput(linear),
    linearThroughputRatio,
    linearCpuSeconds: linearRun.cpuSeconds,
    tiesSeconds: ties.seconds,
    tiesBytesPerSecond: throughput(ties),
    tiesThroughputRatio: ratio(ties),
    tiesCpuSeconds: tiesRun.cpuSeconds,
    dareTiesSeconds: dareTiesRun.summary.seconds,
    dareTiesThroughputRatio: ratio(dareTiesRun.summary),
    dareTiesCpuSeconds: dareTiesRun.cpuSeconds,
    sceSeconds: sceRun.summary.seconds,
    sceThroughputRatio: ratio(sceRun.summary),
    sceCpuSeconds: sceRun.cpuSeconds,
    sceSelectTopK01ThroughputRatio: ratio(sceSelectRun.summary),
    sceSelectTopK01CpuSeconds: sceSelectRun.cpuSeconds,
    rssAfterGenerationBytes: rssBeforeMerges,
    peakRssBytes: sceRun.peakRss,
    peakRssLinearBytes: peakRssLinear,
    peakRssTiesBytes: peakRssTies,
    ...(quantized === undefined ? {} : { quantized }),
  });
  console.log(`wrote ${path}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
