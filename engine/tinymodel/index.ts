export { ensureTinyModelSet } from "./tinyModelStore.js";
export type { TinyModelSet, TinyModelStoreOptions } from "./tinyModelStore.js";
export { buildTinyModelSet, defaultTinyModelSetOptions, tinyModelSetVersion } from "./tinyModelSet.js";
export type { TinyModelSetManifest, TinyModelSetOptions, TinyModelSetCorpora } from "./tinyModelSet.js";
export { pinnedCorpora, llamaCppSourceDir } from "./pinnedCorpora.js";
export { readCorpus } from "./corpus.js";
export type { Corpus, CorpusSpec } from "./corpus.js";
export { specialTokenTexts } from "./specialTokens.js";
