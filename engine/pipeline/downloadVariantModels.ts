import { ModelResolver, UnknownVariantError, loadCatalog, localEntriesOf } from "../catalog/index.js";
import { downloadModel } from "../download/index.js";
import type { DownloadVariantRequest, ProgressListener } from "../host/contract/engineApi.js";

/**
 * Downloads every hf: file a variant needs on this machine (target, draft, adapters, merge inputs; for
 * a token ensemble both members' targets, adapters and merge inputs; nothing for a variant on a server;
 * see localEntriesOf) that is not here yet, one after the other, reporting progress over all of their
 * bytes.
 */
export async function downloadVariantModels(
  request: DownloadVariantRequest,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<{ downloaded: string[]; bytes: number }> {
  const catalog = await loadCatalog(request.catalogFiles);
  const variant = catalog.variants.get(request.variantId);
  if (!variant) throw new UnknownVariantError(request.variantId, catalog);
  const resolver = new ModelResolver({ cacheDir: request.cacheDir, modelsDir: request.modelsDir });
  const missing = localEntriesOf(catalog, variant).filter(
    (entry) => resolver.locate(entry).kind === "hf" && !resolver.isPresent(entry),
  );
  const knownTotal = missing.reduce((sum, entry) => sum + (entry.size ?? 0), 0);
  let finished = 0;
  const downloaded: string[] = [];
  for (const entry of missing) {
    const location = resolver.locate(entry);
    if (location.kind !== "hf") continue;
    const result = await downloadModel({
      uri: entry.uri,
      destination: location.path,
      sha256: entry.sha256,
      size: entry.size,
      signal,
      huggingFaceEndpoint: request.huggingFaceEndpoint,
      onProgress: ({ downloadedBytes, totalBytes }) => {
        const total = Math.max(knownTotal, finished + totalBytes);
        onProgress?.({
          phase: "download",
          fraction: total > 0 ? (finished + downloadedBytes) / total : undefined,
          message: `downloading ${entry.id}`,
        });
      },
    });
    finished += result.bytes;
    downloaded.push(entry.id);
  }
  return { downloaded, bytes: finished };
}
