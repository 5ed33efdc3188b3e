import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { importNodeLlamaCpp, validateModelFile } from "../runtime/index.js";

export interface DownloadRequest {
  /** `hf:owner/repo/file.gguf` or an https URL. */
  uri: string;
  /** Where the verified file ends up. */
  destination: string;
  sha256?: string;
  size?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { downloadedBytes: number; totalBytes: number }) => void;
  /** Where `hf:` URIs resolve (default: Hugging Face; tests point it at a local server). */
  huggingFaceEndpoint?: string;
}

/** The downloaded file is not what the catalog promised; it was deleted. */
export class DownloadVerificationError extends CoopError {
  constructor(uri: string, problem: string) {
    super(coopErrorCodes.downloadRejected, `The download of ${uri} was discarded: ${problem}`);
    this.name = "DownloadVerificationError";
  }
}

/**
 * Downloads a model through node-llama-cpp's downloader (resumable: an interrupted download continues
 * from where it stopped) into a `.partial` file, verifies its size, sha256 and GGUF header, and only
 * then moves it into place, so a truncated or wrong file can never be loaded.
 */
export async function downloadModel(
  request: DownloadRequest,
): Promise<{ path: string; bytes: number; downloaded: boolean }> {
  if (existsSync(request.destination)) {
    const { size } = await stat(request.destination);
    if (request.size === undefined || size === request.size)
      return { path: request.destination, bytes: size, downloaded: false };
  }
  const { createModelDownloader } = await importNodeLlamaCpp();
  const partial = `${request.destination}.partial`;
  await mkdir(dirname(request.destination), { recursive: true });
  const downloader = await createModelDownloader({
    modelUri: request.uri,
    dirPath: dirname(partial),
    fileName: basename(partial),
    showCliProgress: false,
    deleteTempFileOnCancel: false,
    skipExisting: false,
    endpoints: request.huggingFaceEndpoint ? { huggingFace: request.huggingFaceEndpoint } : undefined,
    onProgress: ({ downloadedSize, totalSize }) =>
      request.onProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize }),
  });
  const path = await downloader.download({ signal: request.signal });
  try {
    await verify(path, request);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  await rename(path, request.destination);
  return { path: request.destination, bytes: (await stat(request.destination)).size, downloaded: true };
}

async function verify(path: string, request: DownloadRequest): Promise<void> {
  const { size } = await stat(path);
  if (request.size !== undefined && size !== request.size) {
    throw new DownloadVerificationError(
      request.uri,
      `it has ${size} bytes, the catalog says ${request.size}`,
    );
  }
  if (request.sha256 !== undefined) {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    const actual = hash.digest("hex");
    if (actual !== request.sha256.toLowerCase()) {
      throw new DownloadVerificationError(
        request.uri,
        `its sha256 is ${actual}, the catalog says ${request.sha256}`,
      );
    }
  }
  try {
    await validateModelFile(path);
  } catch (error) {
    throw new DownloadVerificationError(request.uri, describeError(error));
  }
}
