// npm run bench -- <name> [args…]: runs bench/<name>.bench.ts (all of them when no name is given).
// Benchmarks measure ratios side by side in one run (the machine is shared and noisy), print a
// table, and write bench-results/<name>.json.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const available = readdirSync(new URL("../bench", import.meta.url))
  .filter((file) => file.endsWith(".bench.ts"))
  .map((file) => file.replace(/\.bench\.ts$/, ""))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (name !== undefined && !available.includes(name)) {
  console.error(`unknown benchmark '${name}'; available: ${available.join(", ") || "none"}`);
  process.exit(2);
}
// Benchmarks that run the bundles (the engine host) must measure the code as it is now.
if (spawnSync(process.execPath, ["esbuild.mjs"], { cwd: root, stdio: "inherit" }).status !== 0)
  process.exit(1);
let failed = false;
for (const bench of name === undefined ? available : [name]) {
  console.log(`\n== bench ${bench}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", `bench/${bench}.bench.ts`, ...args], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
