import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const fixtureDir = join(fileURLToPath(new URL(".", import.meta.url)), "fixtures");

export function fixtureText(name: string): string {
  return readFileSync(join(fixtureDir, name), "utf8");
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

/** A loopback HTTP server answering with canned responses, recording what it was sent. */
export async function startReplayServer(
  handler: Handler,
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, response) => {
    let raw = "";
    incoming.on("data", (data: Buffer) => (raw += data.toString("utf8")));
    incoming.on("end", () => {
      const recorded: RecordedRequest = {
        method: incoming.method ?? "",
        path: incoming.url ?? "",
        headers: incoming.headers,
        body: raw === "" ? undefined : JSON.parse(raw),
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded, response)).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `text` as an event stream in pieces of the given sizes (cycled), to split lines and CRLFs. */
export async function sendInPieces(
  response: ServerResponse,
  text: string,
  sizes: readonly number[],
): Promise<void> {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  let at = 0;
  for (let index = 0; at < text.length; index++) {
    const size = sizes[index % sizes.length]!;
    response.write(text.slice(at, at + size));
    at += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
}

export function sendJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(body);
}
