import { writeFile } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { ScenarioContext } from "./scenario.js";

/**
 * What the scripted model writes for a FIM prompt (vLLM gets the prompt as text); undefined writes
 * nothing.
 */
export type ScriptedAnswer = (prompt: string) => string | undefined;

export interface ScriptedVllmServer {
  url: string;
  /** The served model's name (the catalog's `remote.model`). */
  model: string;
  /** The prompts it was sent, in order. */
  prompts: string[];
  close(): Promise<void>;
}

/**
 * A loopback server speaking vLLM's OpenAI-compatible protocol (the shapes of test/remote/fixtures/vllm)
 * whose completions a scenario scripts: it stands in for a model that writes a given suggestion at a
 * given place, so what the editor then does with that suggestion (the detector's verdict) is what the
 * scenario checks.
 */
export async function startScriptedVllmServer(answer: ScriptedAnswer): Promise<ScriptedVllmServer> {
  const model = "scripted-coder";
  const prompts: string[] = [];
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (data: Buffer) => (raw += data.toString("utf8")));
    request.on("end", () => {
      if (request.url === "/v1/models") {
        sendJson(response, {
          object: "list",
          data: [{ id: model, object: "model", owned_by: "vllm", root: model, max_model_len: 32768 }],
        });
        return;
      }
      if (request.url === "/v1/completions") {
        const body = JSON.parse(raw === "" ? "{}" : raw) as { prompt?: string };
        const prompt = body.prompt ?? "";
        prompts.push(prompt);
        streamCompletion(response, model, answer(prompt) ?? "");
        return;
      }
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"detail":"Not Found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    model,
    prompts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

function streamCompletion(response: ServerResponse, model: string, text: string): void {
  response.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = (choice: Record<string, unknown>, usage: unknown = null) =>
    `data: ${JSON.stringify({ id: "cmpl-scripted", object: "text_completion", created: 0, model, choices: [choice], usage })}\n\n`;
  response.write(chunk({ index: 0, text, logprobs: null, finish_reason: null, stop_reason: null }));
  response.write(chunk({ index: 0, text: "", logprobs: null, finish_reason: "stop", stop_reason: null }));
  response.end("data: [DONE]\n\n");
}

/**
 * Makes a scripted vLLM server the workspace's variant (`scripted-vllm`, in a user catalog in
 * `scratch`); the returned function puts the settings back and stops the server.
 */
export async function useScriptedVariant(
  context: Pick<ScenarioContext, "scratch" | "machineSettings" | "workspaceSettings">,
  answer: ScriptedAnswer,
  workspaceSettings: Record<string, unknown> = {},
): Promise<{ server: ScriptedVllmServer; restore: () => Promise<void> }> {
  const server = await startScriptedVllmServer(answer);
  const catalog = join(context.scratch, "models.json");
  await writeFile(
    catalog,
    JSON.stringify({
      version: 1,
      variants: [
        {
          id: "scripted-vllm",
          label: "Scripted vLLM (test)",
          description: "A loopback server that writes what the scenario scripts.",
          // A model of the shipped catalog with FIM tokens; the server never loads it.
          target: "qwen2.5-coder-7b-instruct-q4_k_m",
          remote: { kind: "vllm", url: server.url, model: server.model },
        },
      ],
    }),
  );
  const restoreMachine = await context.machineSettings.update({ "coop.modelCatalog": catalog });
  const restoreWorkspace = await context.workspaceSettings.update({
    "coop.variant": "scripted-vllm",
    ...workspaceSettings,
  });
  return {
    server,
    restore: async () => {
      await restoreWorkspace();
      await restoreMachine();
      await server.close();
    },
  };
}
