import { existsSync, readFileSync } from "node:fs";
export const read = readFileSync;
