// Runs every test file under test/ (except the editor suites) with node's built-in runner.
// Node 20's --test does not expand globs nor pick up .ts files, so we list them here.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const only = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === "node_modules" || name === "editor" || name.startsWith(".")) continue;
      out.push(...collect(full));
    } else if (/\.test\.m?ts$/.test(name)) {
      out.push(relative(root, full));
    }
  }
  return out;
}

let files = collect(join(root, "test"));
if (only.length > 0) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files],
  { cwd: root, stdio: "inherit" },
);
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
