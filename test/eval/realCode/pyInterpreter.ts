// Runs pyProbe.py on the machine's python3: what exists in the stdlib and the installed packages, and
// the labels of Python cases, both from the real interpreter.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RealLabel } from "./realCase.js";

const probeScript = fileURLToPath(new URL("./pyProbe.py", import.meta.url));

export interface PyReceiver {
  id: string;
  /** Statements that bind the receiver's names (imports, safe constructors). */
  setup: string;
  expression: string;
}

export interface PyMember {
  name: string;
  callable: boolean;
  /** Positional arguments without default; -1 when the signature cannot be read. */
  requiredArgs: number;
}

export interface PyFacts {
  members: Record<string, PyMember[]>;
  submodules: Record<string, string[]>;
  stars: Record<string, string[]>;
  stdlib: string[];
  builtins: string[];
  /** Installed import name -> its folder (or file) in the interpreter's site-packages. */
  installed: Record<string, string>;
  version: string;
}

export interface PyVerdict {
  labels: RealLabel[];
  /** Why the interpreter could not judge the case (a malformed case), or null. */
  error: string | null;
}

function runProbe<T>(request: object): T {
  const result = spawnSync("python3", [probeScript], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`python3 ${probeScript} failed: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as T;
}

export function pythonFacts(request: {
  receivers: readonly PyReceiver[];
  packages: readonly string[];
  stars: readonly string[];
  installed: readonly string[];
}): PyFacts {
  return runProbe({ command: "enumerate", ...request });
}

export function interpreterLabels(
  cases: readonly { id: string; prefix: string; snippet: string; suffix: string }[],
): Map<string, PyVerdict> {
  return new Map(Object.entries(runProbe<Record<string, PyVerdict>>({ command: "label", cases })));
}
