import { fileURLToPath } from "node:url";

/** The repository's root folder (this file is tools/editor/repoRoot.ts). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
