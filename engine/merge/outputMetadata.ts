import { gguf, type GgufFile, type GgufValue, type GgufWriter } from "../gguf/index.js";

/** Metadata key holding how a merged file was made (method, params, inputs), as JSON. */
export const PROVENANCE_KEY = "coop.merge.recipe";

/** Copies `source`'s metadata to the writer, replacing the keys in `overrides`, then adds the provenance. */
export function copyMetadata(
  writer: GgufWriter,
  source: GgufFile,
  overrides: Record<string, GgufValue>,
  provenance: unknown,
): void {
  for (const [key, value] of source.metadata) {
    // The writer sets general.alignment itself from its own option.
    if (key === "general.alignment" || key in overrides || key === PROVENANCE_KEY) continue;
    writer.setMetadata(key, value);
  }
  for (const [key, value] of Object.entries(overrides)) writer.setMetadata(key, value);
  writer.setMetadata(PROVENANCE_KEY, gguf.str(JSON.stringify(provenance)));
}
