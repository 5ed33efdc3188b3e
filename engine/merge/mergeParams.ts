import type { JsonReader } from "../json/jsonShape.js";
import { MERGE_RULE_OPTIONS, type MergeParams } from "./methods/index.js";

/** Keys of the merge parameters that choose between mergekit's convention and Coop's former one. */
const MERGE_RULE_KEYS = Object.keys(MERGE_RULE_OPTIONS);

/** The merge methods' parameters, shared with merge recipe files. */
export function parseMergeParams(r: JsonReader, value: unknown, path: string): MergeParams {
  const o = r.object(value, path, ["lambda", "normalize", "t", "selectTopK", ...MERGE_RULE_KEYS]);
  const params: MergeParams = {};
  if (o.lambda !== undefined) params.lambda = r.number(o.lambda, `${path}.lambda`);
  if (o.normalize !== undefined) params.normalize = r.boolean(o.normalize, `${path}.normalize`);
  if (o.t !== undefined) params.t = r.number(o.t, `${path}.t`, { min: 0, max: 1 });
  if (o.selectTopK !== undefined)
    params.selectTopK = r.number(o.selectTopK, `${path}.selectTopK`, { min: 0, exclusiveMin: true, max: 1 });
  if (o.keptCount !== undefined)
    params.keptCount = r.oneOf(o.keptCount, `${path}.keptCount`, MERGE_RULE_OPTIONS.keptCount);
  if (o.zeroVote !== undefined)
    params.zeroVote = r.oneOf(o.zeroVote, `${path}.zeroVote`, MERGE_RULE_OPTIONS.zeroVote);
  if (o.normalizeOver !== undefined)
    params.normalizeOver = r.oneOf(
      o.normalizeOver,
      `${path}.normalizeOver`,
      MERGE_RULE_OPTIONS.normalizeOver,
    );
  if (o.slerpNearZero !== undefined)
    params.slerpNearZero = r.oneOf(
      o.slerpNearZero,
      `${path}.slerpNearZero`,
      MERGE_RULE_OPTIONS.slerpNearZero,
    );
  return params;
}
