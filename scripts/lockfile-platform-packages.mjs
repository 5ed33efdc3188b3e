// Adds lock entries for node-llama-cpp's platform packages that the registry reachable here does not
// serve (its non-Linux binaries at our pinned version). npm install tolerates a missing optional
// package, but `npm ci` then refuses the lockfile as out of sync. Each added entry names its os/cpu,
// so npm skips it on other platforms and fetches it by name and version on its own.
// Run after `npm install` changes the lockfile: node scripts/lockfile-platform-packages.mjs
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const nodeLlamaCpp = lock.packages["node_modules/node-llama-cpp"];
const platforms = {
  "linux-riscv64": { os: ["linux"], cpu: ["riscv64"], libc: ["glibc"] },
  "mac-arm64-metal": { os: ["darwin"], cpu: ["arm64", "x64"] },
  "mac-x64": { os: ["darwin"], cpu: ["x64"] },
  "win-arm64": { os: ["win32"], cpu: ["arm64", "x64"] },
  "win-x64": { os: ["win32"], cpu: ["x64"] },
  "win-x64-cuda": { os: ["win32"], cpu: ["x64"] },
  "win-x64-cuda-ext": { os: ["win32"], cpu: ["x64"] },
  "win-x64-vulkan": { os: ["win32"], cpu: ["x64"] },
};
let added = 0;
for (const [name, version] of Object.entries(nodeLlamaCpp.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const platform = platforms[name.replace("@node-llama-cpp/", "")];
  if (!platform)
    throw new Error(`no platform known for ${name}: add it to scripts/lockfile-platform-packages.mjs`);
  lock.packages[key] = {
    version,
    license: "MIT",
    optional: true,
    ...platform,
    engines: { node: ">=20.0.0" },
  };
  added++;
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`lockfile: ${added} platform package entr${added === 1 ? "y" : "ies"} added`);
