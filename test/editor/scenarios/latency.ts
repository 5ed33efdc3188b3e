import { GhostTextProbe } from "../harness/ghostTextProbe.js";
import { percentile } from "../harness/latencyStats.js";
import type { Scenario } from "../harness/scenario.js";

const keystrokes = 30;
/** Letters typed one at a time; each differs from the first character of the ghost text it replaces. */
const letters = "abcdefghjklmnopqrstuvwxyz";

export const scenarios: Scenario[] = [
  {
    name: "keystroke-to-ghost-text latency over 30 keystrokes in a TypeScript file (measured, not asserted)",
    session: "trusted",
    files: {
      "src/latency.ts":
        "export function sum(values: number[]): number {\n  let total = 0;\n  for (const value of values) total += value;\n  return total;\n}\n",
    },
    async run({ page, metrics }) {
      await page.openFile("src/latency.ts");
      await page.cursorToEnd();
      // Not measured: the first suggestion may start the engine and load the variant.
      await page.typeUntilGhostText("\nexport const ");
      const probe = await GhostTextProbe.install(page.page);
      const samples: number[] = [];
      let misses = 0;
      for (let index = 0; samples.length < keystrokes; index++) {
        if (misses > keystrokes / 3)
          throw new Error(`ghost text did not come back after ${misses} of ${index} keystrokes`);
        // A letter the ghost text starts with would be typed through without asking Coop.
        const next = (await probe.text())[0];
        let key = letters[index % letters.length]!;
        if (key === next) key = letters[(index + 1) % letters.length]!;
        const ms = await probe.measure(key);
        if (ms === undefined) misses++;
        else samples.push(ms);
      }
      await page.screenshot("after-30-keystrokes");
      metrics.ghostTextP50Ms = percentile(samples, 50);
      metrics.ghostTextP95Ms = percentile(samples, 95);
      metrics.ghostTextSamples = samples.length;
      metrics.ghostTextMisses = misses;
      console.log(
        `  keystroke to ghost text: p50 ${metrics.ghostTextP50Ms.toFixed(0)} ms, p95 ${metrics.ghostTextP95Ms.toFixed(0)} ms (${samples.length} keystrokes, ${misses} without ghost text within 10 s)`,
      );
    },
  },
];
