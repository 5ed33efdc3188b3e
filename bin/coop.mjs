#!/usr/bin/env node
// The `coop` command: the bundled CLI (built by `npm run build`).
import { existsSync } from "node:fs";
const cli = new URL("../out/cli.mjs", import.meta.url);
if (!existsSync(cli)) {
  console.error("coop: out/cli.mjs is missing; run `npm run build` first.");
  process.exit(1);
}
await import(cli.href);
