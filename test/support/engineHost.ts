import { join } from "node:path";
import { EngineHostClient, type EngineHostOptions } from "../../engine/host/index.js";
import { repoRoot } from "./repoRoot.js";

/**
 * An engine host client that runs the engine's TypeScript entry under tsx, as the bundle would run
 * engineHost.mjs.
 */
export function testEngineHost(options: Partial<EngineHostOptions> = {}): EngineHostClient {
  return new EngineHostClient({
    entry: join(repoRoot, "engine", "host", "server", "hostMain.ts"),
    execArgv: ["--import", "tsx"],
    restartBackoffMs: [50, 100],
    ...options,
  });
}
