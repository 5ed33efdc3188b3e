export { downloadModel, DownloadVerificationError } from "./downloadModel.js";
export type { DownloadRequest } from "./downloadModel.js";
