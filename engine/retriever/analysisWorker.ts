// The worker thread that takes a share of indexing's syntax analysis (parallelAnalysis.ts): the same
// analyzer as the retriever's own, on the files the indexing thread hands it.
import { parentPort, workerData } from "node:worker_threads";
import { setSyntaxWasmDirectory } from "../syntax/index.js";
import {
  FINISHED,
  READY,
  type AnalysisReply,
  type AnalysisRequest,
  type AnalysisWorkerData,
} from "./analysisWorkerProtocol.js";
import { defaultSyntaxAnalyzer } from "./syntaxAnalyzer.js";

const data = workerData as AnalysisWorkerData;
setSyntaxWasmDirectory(data.wasmDirectory);
const analyzer = defaultSyntaxAnalyzer(data.maxChunkLines);
const progress = new Int32Array(data.progress);

parentPort?.on("message", (request: AnalysisRequest) => {
  analyzer
    .analyze(request.path, request.source)
    .then(
      (analysis) => parentPort!.postMessage({ id: request.id, analysis } satisfies AnalysisReply),
      (error: unknown) =>
        parentPort!.postMessage({ id: request.id, error: String(error) } satisfies AnalysisReply),
    )
    .finally(() => Atomics.add(progress, FINISHED, 1));
});
Atomics.store(progress, READY, 1);
