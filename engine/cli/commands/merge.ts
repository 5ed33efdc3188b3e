import { basename } from "node:path";
import { parseArgs } from "node:util";
import {
  MERGE_OUTPUT_TYPES,
  mergeModels,
  readMergeRecipe,
  type MergeJob,
  type MergeOutputType,
  type MergeSummary,
} from "../../merge/index.js";
import { formatBytes, progressBar } from "./progressBar.js";

export const mergeUsage = `  merge <recipe.json|recipe.yaml> --out <file.gguf> [--type F32|F16|Q8_0|Q4_0|Q4_K_M|Q5_K_M|Q6_K|...]
      Merges GGUF models or LoRA adapters as the recipe says, e.g.
        {"method": "ties", "base": "base.gguf", "params": {"lambda": 1},
         "inputs": [{"path": "a.gguf", "weight": 1, "density": 0.5}, {"path": "b.gguf", "weight": 1, "density": 0.5}],
         "output": {"type": "Q8_0"}}
      Methods: linear, task_arithmetic, ties, dare_linear, dare_ties, sce, slerp. Paths are relative to the
      recipe. "output": {"adapterRank": N} turns LoRA inputs into one LoRA of rank N. --type overrides the
      recipe's output type: F32, F16, Q8_0, or a llama-quantize preset (Q4_0, Q4_K_S, Q4_K_M, Q5_K_S,
      Q5_K_M, Q6_K) that picks each tensor's type as llama.cpp does. Ctrl-C cancels and leaves no output file.
      A .yaml or .yml recipe is a mergekit config (merge_method, base_model, models[].model as .gguf paths
      with parameters.weight/density, parameters, dtype); what Coop cannot do as mergekit does is refused.`;

export async function mergeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: "string" }, type: { type: "string" } },
  });
  const [recipeFile, ...extra] = positionals;
  if (recipeFile === undefined || extra.length > 0 || values.out === undefined) {
    console.error(`coop merge: expected one recipe file and --out <file.gguf>\n\n${mergeUsage}`);
    return 2;
  }
  if (values.type !== undefined && !MERGE_OUTPUT_TYPES.includes(values.type as MergeOutputType)) {
    console.error(`coop merge: --type must be one of ${MERGE_OUTPUT_TYPES.join(", ")}, not '${values.type}'`);
    return 2;
  }
  const recipe = await readMergeRecipe(recipeFile);
  if (recipe.output.kind === "adapter" && values.type !== undefined) {
    console.error(
      `coop merge: --type applies to model output, but ${recipeFile} asks for an adapter (output.adapterRank)`,
    );
    return 2;
  }
  const output: MergeJob["output"] =
    recipe.output.kind === "adapter"
      ? { kind: "adapter", path: values.out, rank: recipe.output.rank }
      : {
          kind: "model",
          path: values.out,
          type: (values.type as MergeOutputType | undefined) ?? recipe.output.type,
        };

  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once("SIGINT", onSignal);
  const bar = progressBar(process.stderr);
  try {
    const summary = await mergeModels({
      ...recipe,
      output,
      signal: controller.signal,
      onProgress: bar.update,
    });
    bar.done();
    printSummary(summary);
    return 0;
  } catch (error) {
    bar.done();
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
  }
}

function printSummary(summary: MergeSummary): void {
  const lines = [
    `method:  ${summary.method}`,
    `inputs:  ${summary.inputs.map((input) => basename(input)).join(", ")} (${summary.inputKind === "adapter" ? "LoRA adapters" : "full models"})`,
    ...(summary.base ? [`base:    ${basename(summary.base)}`] : []),
    `tensors: ${summary.tensors} written, ${summary.mergedTensors} merged`,
    `bytes:   ${formatBytes(summary.bytesWritten)} of tensor data`,
    `time:    ${summary.seconds.toFixed(2)} s (${formatBytes(summary.bytesWritten / Math.max(summary.seconds, 1e-9))}/s)`,
    `output:  ${summary.output} (${summary.outputKind === "adapter" ? `LoRA adapter, rank ${summary.rank}, F32 factors` : `model, merged tensors ${summary.outputType}`})`,
    ...(summary.energyKept === undefined
      ? []
      : [`energy kept by the rank-${summary.rank} factors: ${(summary.energyKept * 100).toFixed(2)}%`]),
  ];
  console.log(lines.join("\n"));
}
