// The extension-host test runner in the @vscode/test-electron contract: VS Code (or code-server's
// smoke-test driver) loads this module in the extension host and calls run(). It is bundled to
// CommonJS with mocha inside (see bundleSuite.ts) and loads the suites bundled next to it.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Mocha from "mocha";
import { reportEnvVariable, type ExtensionTestReport } from "./report.js";

/** Suites that must run before the others: activation must see the engine before any completion. */
const firstSuites = ["activation"];

export function run(): Promise<void> {
  // This module runs as the CommonJS bundle index.cjs; the suites are bundled into ./suites next to it.
  const suitesDir = join(__dirname, "suites");
  const names = readdirSync(suitesDir).filter((name) => name.endsWith(".cjs"));
  const rank = (name: string): number => {
    const index = firstSuites.indexOf(name.replace(/\.suite\.cjs$/, ""));
    return index === -1 ? firstSuites.length : index;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 60_000 });
  for (const name of names) mocha.addFile(join(suitesDir, name));

  const report: ExtensionTestReport = { tests: [] };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const reportPath = process.env[reportEnvVariable];
      if (reportPath) writeFileSync(reportPath, JSON.stringify(report, null, 2));
      if (failures > 0)
        reject(new Error(`${failures} of ${report.tests.length} extension-host tests failed`));
      else resolve();
    });
    runner.on("pass", (test) =>
      report.tests.push({ title: test.fullTitle(), passed: true, ms: test.duration ?? 0 }),
    );
    runner.on("fail", (test, error: unknown) =>
      report.tests.push({
        title: test.fullTitle(),
        passed: false,
        ms: test.duration ?? 0,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  });
}
