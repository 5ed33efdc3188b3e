import { parseArgs } from "node:util";
import { defaultCacheDir, nodeLlamaCppPackageDir } from "../paths.js";
import { LlamaRuntime, importNodeLlamaCpp } from "../runtime/index.js";
import { ensureTinyModelSet } from "../tinymodel/index.js";
import { mergeCommand, mergeUsage } from "./commands/merge.js";
import { variantsCommand, variantsUsage } from "./commands/variants.js";

const usage = `Usage: coop <command> [options]

Commands:
  demo [--prompt TEXT] [--tokens N] [--cpu]
      Completes code with Coop's embedded default model (the tiny model set the project builds
      itself from pinned code corpora; built into the cache on first run, no download).
${mergeUsage}
${variantsUsage}
  help
      Shows this text.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "demo":
      return demo(rest);
    case "merge":
      return mergeCommand(rest);
    case "variants":
      return variantsCommand(rest);
    case undefined:
    case "help":
    case "--help":
      console.log(usage);
      return 0;
    default:
      console.error(`coop: unknown command '${command}'\n\n${usage}`);
      return 2;
  }
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      prompt: { type: "string", default: "export async function readConfig(path) {\n  const text = await " },
      tokens: { type: "string", default: "48" },
      cpu: { type: "boolean", default: false },
    },
  });
  const maxTokens = Number.parseInt(values.tokens, 10);
  if (!Number.isInteger(maxTokens) || maxTokens <= 0) {
    console.error(`coop demo: --tokens must be a positive whole number, not '${values.tokens}'`);
    return 2;
  }

  const cacheDir = defaultCacheDir();
  console.log(`Preparing the embedded tiny models in ${cacheDir} (built once, then reused)…`);
  const started = Date.now();
  const models = await ensureTinyModelSet({ cacheDir, nodeLlamaCppDir: nodeLlamaCppPackageDir() });
  console.log(`${models.built ? "Built" : "Found"} ${models.dir} in ${Date.now() - started} ms.`);

  const runtime = await LlamaRuntime.create({ gpu: values.cpu ? "cpu" : "auto" });
  try {
    for (const notice of runtime.notices) console.log(`note: ${notice}`);
    const { LlamaCompletion } = await importNodeLlamaCpp();
    const { model, onGpu } = await runtime.loadModel(models.target);
    const context = await runtime.createContext(model, { contextSize: 1024 });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    console.log(`Target model loaded (${onGpu ? `GPU: ${runtime.gpu}` : `CPU, ${runtime.threads} threads`}).`);
    console.log("\n--- prompt ---\n" + values.prompt);
    const generationStarted = performance.now();
    let tokens = 0;
    const text = await completion.generateCompletion(values.prompt, {
      maxTokens,
      temperature: 0,
      onToken: (chunk) => {
        tokens += chunk.length;
      },
    });
    const seconds = (performance.now() - generationStarted) / 1000;
    console.log("--- completion ---\n" + text + "\n--------------");
    console.log(`${tokens} tokens in ${seconds.toFixed(2)} s (${(tokens / seconds).toFixed(1)} tokens/s).`);
    completion.dispose();
    await context.dispose();
    return 0;
  } finally {
    await runtime.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`coop: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
