// node --import tsx bench/support/compilerCheckTiming.ts [--every K] [--out findings.json] [--typing]
// [--prepare]: the compiler check's time per suggestion (wall and CPU, p50/p95) on the real-code
// TypeScript cases, run in this thread on TypeScriptProject directly (no worker, no budget), each case
// checked twice in a row as ghost text re-checks it; --out writes every case's findings, to compare two
// versions of the check. --typing: before each check the editor changes the file (a keystroke at the
// cursor), so the program is out of date; --prepare: and the worker's idle-time prepare runs in between
// (timed apart from the check).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import ts from "typescript";
import { TypeScriptProject } from "../../engine/detector/typescript/typeScriptProject.js";
import { generateTsCases } from "../../test/eval/realCode/tsCases.js";
import { readTsTypings } from "../../test/eval/realCode/tsTypings.js";
import { writeTsWorkspace } from "../../test/eval/realCode/tsWorkspace.js";

const { values } = parseArgs({
  options: {
    every: { type: "string", default: "3" },
    out: { type: "string" },
    typing: { type: "boolean", default: false },
    prepare: { type: "boolean", default: false },
  },
});
const every = Number(values.every);

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const summary = (label: string, samples: number[]): string => {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`;
};

const parent = await mkdtemp(join(tmpdir(), "coop-compiler-timing-"));
try {
  const root = await writeTsWorkspace(parent);
  const cases = generateTsCases(readTsTypings(root)).filter((_, index) => index % every === 0);
  for (const realCase of cases) await writeFile(join(root, realCase.path), realCase.prefix + realCase.suffix);
  const loadStarted = performance.now();
  const project = TypeScriptProject.load(ts, root, 10_000);
  if ("notLoaded" in project) throw new Error(project.notLoaded);
  project.warm();
  console.log(
    `${cases.length} cases, ${project.fileCount} files, loaded and warm in ${(performance.now() - loadStarted).toFixed(0)} ms`,
  );
  const prepareWall: number[] = [];
  const wall: number[] = [];
  const cpu: number[] = [];
  const findings: Record<string, unknown> = {};
  for (const realCase of cases)
    for (let round = 0; round < 2; round++) {
      if (values.typing) {
        project.updateDocument(realCase.path, `${realCase.prefix}${" ".repeat(round + 1)}${realCase.suffix}`);
        const prepareStarted = performance.now();
        if (values.prepare) project.prepare();
        prepareWall.push(performance.now() - prepareStarted);
      }
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const verdict = project.check(realCase, () => false);
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      findings[realCase.id] = verdict;
    }
  console.log(summary("wall", wall));
  console.log(summary("cpu ", cpu));
  if (values.prepare) console.log(summary("idle prepare (wall)", prepareWall));
  console.log(
    `load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(" ")}`,
  );
  if (values.out !== undefined) await writeFile(values.out, JSON.stringify(findings, null, 1));
  project.dispose();
} finally {
  await rm(parent, { recursive: true, force: true });
}
