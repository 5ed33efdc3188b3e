/**
 * The stable codes of Coop's typed errors, the same in process and across the engine host's RPC, so the
 * extension decides on codes, never on error names or messages. A code names what went wrong, not the
 * class: two classes that mean the same to a caller (the local and the remote cancellation) share one.
 * This module imports nothing, so the extension can use it without loading the engine.
 */
export const coopErrorCodes = {
  // Requests that ended because they were not wanted any more: no failure (see isCancellation).
  /** The caller cancelled the request (a completion, a remote request, a merge). */
  cancelled: "cancelled",
  /** The variant the request ran on was swapped or unloaded; it was stopped before its memory was freed. */
  cancelledBySwap: "cancelled-by-swap",
  /** A newer completion for the same document replaced this one (dropped before it started, or stopped). */
  superseded: "superseded",
  /** The workspace's queue was full: the oldest waiting completion gave way to a new one. */
  shed: "shed",

  // The engine process.
  /** The engine process did not answer within coop.engine.responseTimeoutMs; it was killed and restarted. */
  timeout: "engine-timeout",
  /** The engine process died while the request ran. */
  crashed: "engine-crashed",
  /** The engine kept crashing with one variant and is not restarted again. */
  gaveUp: "engine-gave-up",
  /** The engine process reported an error that has no code of its own (an internal invariant broke). */
  internal: "internal",

  // Requests the engine refuses as asked.
  /** A request's input is too long or not of the expected type (RequestInputError). */
  requestInput: "request-input",
  /** A chat request is malformed: its turns, attachments or token limit (ChatRequestError). */
  chatRequest: "invalid-chat-request",
  /** The backend cannot serve an option the request asks for (UnsupportedRequestError). */
  unsupportedRequest: "unsupported-request",
  /** A completion or chat was asked for before any model variant was loaded. */
  noVariantLoaded: "no-variant-loaded",

  // The catalog (models.json) and the variants it defines.
  /** A model catalog file could not be read (CatalogReadError). */
  catalogUnreadable: "catalog-unreadable",
  /** A JSON or YAML file (a catalog, a recipe) does not have the expected shape (JsonShapeError). */
  jsonShape: "invalid-json-shape",
  /** A catalog entry refers to something that does not exist or does not fit (CatalogReferenceError). */
  catalogReference: "catalog-reference",
  /** The catalog has no variant with the id asked for (UnknownVariantError). */
  unknownVariant: "unknown-variant",
  /** The variant runs on an inference server: it has no model files on this machine (RemoteVariantError). */
  remoteVariant: "remote-variant",
  /** A variant combines parts that cannot go together (a token ensemble with a draft model). */
  invalidVariant: "invalid-variant",
  /** A catalog entry's model uri cannot be used (ModelUriError). */
  modelUri: "invalid-model-uri",
  /** A model or adapter file is not on this machine: not downloaded yet, or no file at its path. */
  modelNotAvailable: "model-not-available",
  /** A downloaded file was not what the catalog promised; it was deleted (DownloadVerificationError). */
  downloadRejected: "download-rejected",

  // Model files and loading them.
  /** A file is not a model llama.cpp can load safely (ModelFileError). */
  modelFile: "invalid-model-file",
  /** A GGUF file is truncated or corrupt (GgufFormatError). */
  ggufFormat: "invalid-gguf",
  /** llama.cpp could not load a model or create its context (ModelLoadError). */
  modelLoad: "model-load-failed",
  /** A model cannot fit in the memory available for models (ModelTooLargeError). */
  modelTooLarge: "model-too-large",
  /** The model has no fill-in-the-middle tokens, so it cannot complete code inline (NoFillInMiddleError). */
  noFillInMiddle: "no-fill-in-middle",
  /** Two models that must share a tokenizer do not (TokenizerMismatchError). */
  tokenizerMismatch: "tokenizer-mismatch",
  /** Best-of-n, contrastive or token-ensemble settings out of range (EnsembleSettingsError). */
  ensembleSettings: "invalid-ensemble-settings",
  /** The tiny models cannot be built: no llama.cpp source and no way to check it out. */
  llamaCppSourceUnavailable: "llama-cpp-source-unavailable",

  // Remote inference servers.
  /** A remote server could not answer: unreachable, timed out, refused, or answered badly. */
  remoteServer: "remote-server-failed",

  // The workspace.
  /** A workspace root cannot be opened: not an absolute path to a readable folder (WorkspaceRootError). */
  workspaceRoot: "invalid-workspace-root",

  // Merging models.
  /** A merge cannot be done as described: mismatched inputs, a bad recipe, an unsupported type. */
  mergeRefused: "merge-refused",
  /** A merge method got an argument it cannot use (MergeMethodError). */
  mergeParameter: "invalid-merge-parameter",

  // The extension.
  /** A URL that is not a server Coop can keep an API key for. */
  serverUrl: "invalid-server-url",
} as const;

export type CoopErrorCode = (typeof coopErrorCodes)[keyof typeof coopErrorCodes];

const knownCodes: ReadonlySet<string> = new Set(Object.values(coopErrorCodes));

const cancellationCodes: ReadonlySet<string> = new Set([
  coopErrorCodes.cancelled,
  coopErrorCodes.cancelledBySwap,
  coopErrorCodes.superseded,
  coopErrorCodes.shed,
]);

/** A string that is one of the codes above (one from the other side of the RPC is checked with this). */
export function isCoopErrorCode(code: unknown): code is CoopErrorCode {
  return typeof code === "string" && knownCodes.has(code);
}

/** The error's stable code, when it carries one. */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  return typeof error.code === "string" ? error.code : undefined;
}

/** Whether the error carries this code (what the extension decides on, never the error's name). */
export function hasCode(error: unknown, code: CoopErrorCode): boolean {
  return errorCodeOf(error) === code;
}

/**
 * A request that ended because it was not wanted any more (by the user, a newer request, a swap): no failure.
 */
export function isCancellation(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code !== undefined && cancellationCodes.has(code);
}
