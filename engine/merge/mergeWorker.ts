// The worker thread's side of a split merge (splitBlockMerger.ts): its own copy of each tensor's merge
// stream, fed its share of every row block straight from shared memory.
import { parentPort } from "node:worker_threads";
import { isShareable, type ShareableMergeStream } from "./methods/index.js";
import { SliceMerger } from "./sliceMerger.js";
import { openSpecStream } from "./openSpecStream.js";
import type { WorkerMessage, WorkerReply, WorkerRequest } from "./workerProtocol.js";
import { describeError, errorCodeOf } from "../errors/index.js";

let stream: ShareableMergeStream | undefined;
let merger: SliceMerger | undefined;

function handle(request: WorkerRequest): WorkerReply {
  if (request.kind === "open") {
    const opened = openSpecStream(request.spec);
    if (opened === undefined || !isShareable(opened))
      throw new Error(`${request.spec.method} cannot be merged in a worker`);
    const { inputTypes, baseType, outputType } = request.spec;
    stream = opened;
    merger = new SliceMerger(inputTypes, baseType, outputType, opened);
    return {};
  }
  if (stream === undefined || merger === undefined) throw new Error(`'${request.kind}' before 'open'`);
  switch (request.kind) {
    case "observe": {
      const started = performance.now();
      merger.observeBlock(request.pass, request.block.inputs, request.block.base, request.to, request.from);
      return { seconds: (performance.now() - started) / 1000 };
    }
    case "take":
      return { statistics: stream.takeStatistics(request.pass) };
    case "add":
      for (const statistics of request.statistics) stream.addStatistics(request.pass, statistics);
      return {};
    case "merge": {
      const started = performance.now();
      stream.seek(request.cursor);
      merger.mergeBlock(request.block.inputs, request.block.base, request.to, request.output, request.from);
      return { cursor: stream.cursor(), seconds: (performance.now() - started) / 1000 };
    }
  }
}

const port = parentPort!;
port.on("message", ({ id, request }: { id: number; request: WorkerRequest }) => {
  let message: WorkerMessage;
  try {
    message = { id, reply: handle(request) };
  } catch (error) {
    const name = error instanceof Error ? error.name : "Error";
    message = { id, error: { name, message: describeError(error), code: errorCodeOf(error) } };
  }
  port.postMessage(message);
});
