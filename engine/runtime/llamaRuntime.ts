import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import type { Llama, LlamaContext, LlamaContextOptions, LlamaModel } from "node-llama-cpp";
import { importNodeLlamaCpp } from "./nodeLlamaCpp.js";
import { LogTail } from "./logTail.js";
import { validateModelFile, type ModelFileSummary } from "./validateModelFile.js";

export interface RuntimeOptions {
  /** `auto`: a GPU when one works, else the CPU. `cpu`: never a GPU. */
  gpu: "auto" | "cpu";
  /** CPU threads for inference; 0 or absent: one per core of this machine. */
  threads?: number;
  /** Receives everything llama.cpp logs at warning level and above. */
  onLog?: (level: string, message: string) => void;
  /** Models estimated to need more RAM than this are refused before loading; default: this machine's RAM. */
  memoryBudgetBytes?: number;
}

export interface LoadModelOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  /** Load only the vocabulary (tokenizer), no weights. */
  vocabOnly?: boolean;
}

export interface LoadedModel {
  model: LlamaModel;
  summary: ModelFileSummary;
  /** Whether this model's layers went to a GPU. */
  onGpu: boolean;
}

/** A model or context could not be loaded; `reasons` holds what llama.cpp itself logged. */
export class ModelLoadError extends CoopError {
  constructor(
    readonly path: string,
    readonly reasons: string[],
    options?: { cause?: unknown },
  ) {
    const said = reasons.length > 0 ? `: ${reasons.join(" / ")}` : "";
    super(coopErrorCodes.modelLoad, `llama.cpp could not load ${basename(path)}${said}`, options);
    this.name = "ModelLoadError";
  }
}

/** A model that cannot fit in memory, refused before llama.cpp tries. */
export class ModelTooLargeError extends CoopError {
  constructor(
    readonly path: string,
    readonly neededBytes: number,
    readonly availableBytes: number,
  ) {
    super(
      coopErrorCodes.modelTooLarge,
      `${basename(path)} needs about ${gibibytes(neededBytes)} of memory, but only ${gibibytes(availableBytes)} is available for models; pick a smaller variant or quantization`,
    );
    this.name = "ModelTooLargeError";
  }
}

function gibibytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * The one place that obtains the Llama instance: a GPU when there is one and it works (with a CPU
 * fallback and a notice), an explicit thread count (node-llama-cpp oversubscribes small machines
 * otherwise), models validated before llama.cpp reads them, and errors that carry llama.cpp's reason.
 */
export class LlamaRuntime {
  private readonly models = new Set<LlamaModel>();
  private disposed = false;

  private constructor(
    readonly llama: Llama,
    readonly threads: number,
    private readonly log: LogTail,
    /** Things the user should know, such as a fallback from GPU to CPU. */
    readonly notices: string[],
    private readonly memoryBudgetBytes: number | undefined,
  ) {}

  static async create(options: RuntimeOptions): Promise<LlamaRuntime> {
    const { getLlama, LlamaLogLevel } = await importNodeLlamaCpp();
    const threads = options.threads && options.threads > 0 ? options.threads : defaultThreadCount();
    const log = new LogTail();
    const logger = (level: string, message: string): void => {
      log.record(level, message);
      options.onLog?.(level, message);
    };
    const notices: string[] = [];
    const common = {
      build: "never",
      logLevel: LlamaLogLevel.warn,
      logger,
      maxThreads: threads,
      progressLogs: false,
    } as const;
    if (options.gpu === "cpu") {
      return new LlamaRuntime(
        await getLlama({ ...common, gpu: false }),
        threads,
        log,
        notices,
        options.memoryBudgetBytes,
      );
    }
    try {
      return new LlamaRuntime(
        await getLlama({ ...common, gpu: "auto" }),
        threads,
        log,
        notices,
        options.memoryBudgetBytes,
      );
    } catch (error) {
      notices.push(`No working GPU backend (${describeError(error)}); running on the CPU.`);
      return new LlamaRuntime(
        await getLlama({ ...common, gpu: false }),
        threads,
        log,
        notices,
        options.memoryBudgetBytes,
      );
    }
  }

  /** The GPU backend in use, or false on the CPU. */
  get gpu(): string | false {
    return this.llama.gpu;
  }

  async loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
    this.assertLive();
    const summary = await validateModelFile(path);
    if (summary.kind !== "model") {
      throw new ModelLoadError(path, [`it is a ${summary.kind}, not a model`]);
    }
    const wantsGpu = this.llama.gpu !== false && !options.vocabOnly;
    if (!options.vocabOnly) await this.assertFitsInMemory(path, summary.fileSize);
    try {
      const model = await this.loadWithReason(path, wantsGpu ? "auto" : 0, options);
      return { model, summary, onGpu: wantsGpu && model.gpuLayers > 0 };
    } catch (error) {
      if (!wantsGpu || options.signal?.aborted) throw error;
      const model = await this.loadWithReason(path, 0, options);
      this.notices.push(
        `${basename(path)} did not load on the GPU (${describeError(error)}); it runs on the CPU.`,
      );
      return { model, summary, onGpu: false };
    }
  }

  /**
   * Creates a context with the runtime's thread count, turning failures into errors with llama.cpp's reason.
   */
  async createContext(model: LlamaModel, options: LlamaContextOptions = {}): Promise<LlamaContext> {
    this.assertLive();
    for (const adapterPath of adapterPaths(options.lora)) {
      const summary = await validateModelFile(adapterPath);
      if (summary.kind !== "adapter") throw new ModelLoadError(adapterPath, ["it is not a LoRA adapter"]);
    }
    const mark = this.log.mark();
    try {
      return await model.createContext({ threads: this.threads, ...options });
    } catch (error) {
      throw new ModelLoadError(model.filename ?? "the model", await this.reasonsSince(mark, error), {
        cause: error,
      });
    }
  }

  /** The last line llama.cpp logged, for error reports. */
  lastLogLine(): string | undefined {
    return this.log.last()?.message;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const model of this.models) await model.dispose();
    this.models.clear();
    await this.llama.dispose();
  }

  private async loadWithReason(
    path: string,
    gpuLayers: "auto" | 0,
    options: LoadModelOptions,
  ): Promise<LlamaModel> {
    const mark = this.log.mark();
    try {
      const model = await this.llama.loadModel({
        modelPath: path,
        gpuLayers,
        vocabOnly: options.vocabOnly,
        loadSignal: options.signal,
        onLoadProgress: options.onProgress,
      });
      this.models.add(model);
      model.onDispose.createListener(() => this.models.delete(model));
      return model;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ModelLoadError(path, await this.reasonsSince(mark, error), { cause: error });
    }
  }

  /**
   * Refuses a model whose estimated RAM (node-llama-cpp's estimate for a CPU load, at least the file's
   * size since its weights get paged in) exceeds the budget. On a GPU, node-llama-cpp fits layers itself.
   */
  private async assertFitsInMemory(path: string, fileSize: number): Promise<void> {
    const { readGgufFileInfo, GgufInsights } = await importNodeLlamaCpp();
    const insights = await GgufInsights.from(await readGgufFileInfo(path), this.llama);
    const estimate = insights.estimateModelResourceRequirements({ gpuLayers: 0 }).cpuRam;
    const needed = Math.max(estimate, fileSize);
    const budget = this.memoryBudgetBytes ?? (await this.llama.getRamState()).total;
    if (needed > budget) throw new ModelTooLargeError(path, needed, budget);
  }

  /** What llama.cpp logged about a failure, without its generic "failed to load" lines. */
  private async reasonsSince(mark: number, error: unknown): Promise<string[]> {
    await this.log.waitForProblemSince(mark, 500);
    const specific = this.log
      .problemsSince(mark)
      .filter((line) => !/failed to (load|create) (the )?(model|context)\s*$/i.test(line))
      .map((line) => line.replace(/^(\w+: )+/, "").replace(/\s+/g, " "));
    return specific.length > 0 ? specific : [describeError(error)];
  }

  private assertLive(): void {
    if (this.disposed) throw new Error("The Llama runtime was disposed");
  }
}

function adapterPaths(lora: LlamaContextOptions["lora"]): string[] {
  if (lora === undefined) return [];
  return typeof lora === "string" ? [lora] : lora.adapters.map((adapter) => adapter.filePath);
}

/**
 * One thread per core but one: Node's main thread drives every decoding step, and llama.cpp's
 * workers spin while they wait, so taking every core starves it. On a 2-core machine the draft
 * fixture decodes ~900 tokens/s with 1 thread and ~80 with 2 (measured; see README).
 */
export function defaultThreadCount(): number {
  return Math.max(1, availableParallelism() - 1);
}
