import { GgufWriter, openGguf, type GgufValue } from "../../engine/gguf/index.js";

export interface GgufEdits {
  dropKeys?: string[];
  setMetadata?: Record<string, GgufValue>;
  /** Rewrites the declared dims of a tensor while copying its bytes unchanged (for shape-mismatch files). */
  tensorDims?: Record<string, number[]>;
}

/**
 * Copies a GGUF file with some metadata or tensor declarations changed: for building broken models in tests.
 */
export async function copyGgufWithEdits(
  source: string,
  destination: string,
  edits: GgufEdits,
): Promise<void> {
  const input = await openGguf(source);
  const writer = await GgufWriter.create(destination, { alignment: input.alignment });
  try {
    for (const [key, value] of input.metadata) {
      if (key === "general.alignment" || edits.dropKeys?.includes(key)) continue;
      writer.setMetadata(key, edits.setMetadata?.[key] ?? value);
    }
    for (const [key, value] of Object.entries(edits.setMetadata ?? {})) {
      if (!input.metadata.has(key)) writer.setMetadata(key, value);
    }
    for (const tensor of input.tensors)
      writer.addTensor(tensor.name, edits.tensorDims?.[tensor.name] ?? tensor.dims, tensor.type);
    for (const tensor of input.tensors) {
      for await (const chunk of input.streamTensorBytes(tensor, 1 << 20))
        await writer.writeTensorChunk(tensor.name, chunk);
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await input.close();
  }
}
