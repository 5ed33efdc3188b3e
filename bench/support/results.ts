import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const resultsDir = fileURLToPath(new URL("../../bench-results/", import.meta.url));

/** Writes bench-results/<name>.json (with the machine and time of the run) and returns its path. */
export async function writeBenchResults(name: string, results: Record<string, unknown>): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.json`);
  const body = {
    ...results,
    measuredAt: new Date().toISOString(),
    node: process.version,
    cores: (await import("node:os")).availableParallelism(),
  };
  await writeFile(path, JSON.stringify(body, null, 2) + "\n");
  return path;
}

/** The p-th percentile (0..100) of the values, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Prints rows as an aligned text table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const cell = (value: string | number | undefined): string =>
    typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(3)) : (value ?? "");
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (values: string[]): string =>
    values.map((value, index) => value.padEnd(widths[index]!)).join("  ");
  console.log(line(columns));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of rows) console.log(line(columns.map((column) => cell(row[column]))));
}
