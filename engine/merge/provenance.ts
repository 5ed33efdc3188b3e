import { basename } from "node:path";
import type { MergeJob } from "./mergeJob.js";

/** What goes into the output's coop.merge.recipe key: enough to tell how it was made, no full paths. */
export function provenanceOf(job: MergeJob): Record<string, unknown> {
  return {
    tool: "coop",
    method: job.method,
    params: job.params ?? {},
    seed: job.seed ?? 0,
    base: job.base === undefined ? undefined : basename(job.base),
    inputs: job.inputs.map((input) => ({
      file: basename(input.path),
      weight: input.weight,
      density: input.density,
    })),
    output:
      job.output.kind === "model"
        ? { kind: "model", type: job.output.type }
        : { kind: "adapter", rank: job.output.rank },
  };
}
