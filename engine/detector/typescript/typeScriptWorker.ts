// The thread that runs the TypeScript language service for the engine: a check that outlives its budget
// is abandoned there (the engine stops waiting and raises the cancellation flag the compiler polls)
// while the engine's own event loop never waits on the compiler.
import { parentPort, workerData } from "node:worker_threads";
import type ts from "typescript";
import { describeError } from "../../errors/describeError.js";
import { TypeScriptProject, type CheckInput } from "./typeScriptProject.js";
import type { FromTypeScriptWorker, ToTypeScriptWorker, TypeScriptWorkerData } from "./workerProtocol.js";

const data = workerData as TypeScriptWorkerData;
const cancelled = new Int32Array(data.cancelled);
const port = parentPort!;
const post = (message: FromTypeScriptWorker): void => port.postMessage(message);

const project = await load();
let preparing = false;
port.on("message", (message: ToTypeScriptWorker) => {
  if (project === undefined) return;
  if (message.type === "update") project.updateDocument(message.path, message.text);
  else post(check(project, message.id, message.input));
  prepareWhenIdle(project);
});

/**
 * Updates the program to the editor's texts once the messages at hand are handled (after a burst of
 * updates, once), while the engine is still writing the suggestion the next check will be about.
 */
function prepareWhenIdle(loaded: TypeScriptProject): void {
  if (preparing) return;
  preparing = true;
  setImmediate(() => {
    preparing = false;
    try {
      loaded.prepare();
    } catch {
      // The next check builds the program again and reports what fails.
    }
  });
}

async function load(): Promise<TypeScriptProject | undefined> {
  try {
    const started = performance.now();
    const typescript = ((await import("typescript")) as { default: typeof ts }).default;
    const loaded = TypeScriptProject.load(typescript, data.root, data.maxFiles);
    if ("notLoaded" in loaded) {
      post({ type: "unavailable", reason: loaded.notLoaded });
      return undefined;
    }
    loaded.warm();
    post({ type: "ready", files: loaded.fileCount, warmMs: performance.now() - started });
    return loaded;
  } catch (error) {
    post({ type: "unavailable", reason: `the compiler did not load the project: ${String(error)}` });
    return undefined;
  }
}

function check(loaded: TypeScriptProject, id: number, input: CheckInput): FromTypeScriptWorker {
  const isCancelled = (): boolean => Atomics.load(cancelled, 0) >= id;
  if (isCancelled()) return { type: "cancelled", id };
  try {
    return { type: "checked", id, verdict: loaded.check(input, isCancelled) };
  } catch (error) {
    if (isCancelled()) return { type: "cancelled", id };
    const reason = `the compiler failed on this check: ${describeError(error)}`;
    return { type: "checked", id, verdict: { judged: false, reason } };
  }
}
