import { parseArgs } from "node:util";
import { shippedCatalogPath } from "../../catalog/index.js";
import { CooperativeEngine } from "../../host/index.js";
import { defaultCacheDir } from "../../paths.js";

export const demoUsage = `  demo [--variant ID] [--prefix TEXT] [--suffix TEXT] [--tokens N] [--cpu]
      Completes code at a cursor with a catalog variant, by default the embedded coop-tiny (models the
      project builds itself from pinned code corpora: built into the cache on first run, no download),
      through the completion engine (FIM, speculative decoding), and prints the suggestion and stats.`;

const defaultPrefix =
  'import { readFile } from "node:fs/promises";\n\nexport async function readConfig(path) {\n  ';
const defaultSuffix = "\n}\n";

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      variant: { type: "string", default: "coop-tiny" },
      prefix: { type: "string", default: defaultPrefix },
      suffix: { type: "string", default: defaultSuffix },
      tokens: { type: "string", default: "64" },
      cpu: { type: "boolean", default: false },
    },
  });
  const maxTokens = Number.parseInt(values.tokens, 10);
  if (!Number.isInteger(maxTokens) || maxTokens <= 0) {
    console.error(`coop demo: --tokens must be a positive whole number, not '${values.tokens}'`);
    return 2;
  }
  const cacheDir = defaultCacheDir();
  const engine = new CooperativeEngine();
  try {
    console.log(`Loading variant ${values.variant} (models are built or found in ${cacheDir})…`);
    const started = performance.now();
    const state = await engine.loadCatalogVariant({
      variantId: values.variant,
      catalogFiles: [shippedCatalogPath()],
      cacheDir,
      gpu: values.cpu ? "cpu" : "auto",
    });
    console.log(
      `Loaded in ${((performance.now() - started) / 1000).toFixed(1)} s on the ${state.onGpu ? "GPU" : "CPU"}${state.speculative ? ", with speculative decoding" : ""}.`,
    );
    for (const notice of state.notices) console.log(`note: ${notice}`);

    const request = {
      document: "demo://readConfig.js",
      path: "readConfig.js",
      prefix: values.prefix,
      suffix: values.suffix,
      multiline: true,
      maxTokens,
    };
    const result = await engine.complete(request);
    console.log(
      `\n--- code around the cursor (▌) ---\n${values.prefix}▌${values.suffix}--- suggestion ---\n${result.text}\n------------------`,
    );
    const stats = result.stats;
    if (stats) {
      const acceptance =
        stats.acceptanceRate === undefined ? "n/a" : `${(stats.acceptanceRate * 100).toFixed(0)}%`;
      console.log(
        `${stats.generatedTokens} tokens; first token after ${stats.timeToFirstTokenMs.toFixed(0)} ms; ` +
          `${stats.tokensPerSecond?.toFixed(0) ?? "n/a"} tokens/s; speculative acceptance ${acceptance} (${stats.validated}/${stats.drafted}).`,
      );
    }
    const again = performance.now();
    const cached = await engine.complete(request);
    console.log(
      `The same request again: answered from the ${cached.source} in ${(performance.now() - again).toFixed(2)} ms.`,
    );
    return 0;
  } finally {
    await engine.dispose();
  }
}
