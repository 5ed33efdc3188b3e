import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { coopCacheDir } from "./cacheDir.js";
import { repoRoot } from "./repoRoot.js";

/**
 * Where scripts/build-llama-server.sh puts llama-server for the llama.cpp version node-llama-cpp
 * ships, and whether it is there. Tests never build it (minutes of compiling): .ci/run does.
 */
export function llamaServerBinary():
  { path: string; built: true } | { path: string; built: false; reason: string } {
  const info = join(repoRoot, "node_modules", "node-llama-cpp", "llama", "llama.cpp.info.json");
  const tag = (JSON.parse(readFileSync(info, "utf8")) as { tag: string }).tag;
  const folder = join(coopCacheDir(), `llama-server-${tag}`);
  const path = join(folder, "bin", "llama-server");
  if (existsSync(join(folder, ".complete")) && existsSync(path)) return { path, built: true };
  return {
    path,
    built: false,
    reason: `llama-server for llama.cpp ${tag} is not built (no ${path}); run scripts/build-llama-server.sh (needs cmake and a C++ compiler, about 4 minutes on 2 cores, once)`,
  };
}

export interface RunningLlamaServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** The server's recent output, for failure messages. */
  log(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts llama-server on a free loopback port with these arguments and waits until /health is ok. */
export async function startLlamaServer(
  binary: string,
  args: readonly string[],
  readyTimeoutMs = 120_000,
): Promise<RunningLlamaServer> {
  const port = await freePort();
  const child = spawn(
    binary,
    [
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--threads",
      "1",
      "--threads-batch",
      "1",
      "--no-ui",
      ...args,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (data: Buffer): void => {
    output = (output + data.toString("utf8")).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: RunningLlamaServer = {
    url,
    port,
    process: child,
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `llama-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output.slice(-4_000)}`,
      );
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return server;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `llama-server was not ready within ${readyTimeoutMs / 1000} s:\n${output.slice(-4_000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
