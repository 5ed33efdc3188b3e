import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FileServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves files on loopback the way a model host does (HEAD, Range requests), optionally slowly, for
 * download tests: routes map URL paths to files on disk.
 */
export async function serveFiles(
  routes: Record<string, string>,
  options: { bytesPerSecond?: number } = {},
): Promise<FileServer> {
  const requests: string[] = [];
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "").split("?")[0]!;
    requests.push(`${request.method} ${path}`);
    const file = routes[path];
    if (!file) {
      response.writeHead(404).end("not found");
      return;
    }
    const { size } = await stat(file);
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : size - 1;
    const headers = {
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
      "Content-Type": "application/octet-stream",
    };
    if (range) response.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${size}` });
    else response.writeHead(200, headers);
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    const stream = createReadStream(file, { start, end, highWaterMark: 64 * 1024 });
    if (!options.bytesPerSecond) {
      stream.pipe(response);
      return;
    }
    const delayPerChunk = (64 * 1024 * 1000) / options.bytesPerSecond;
    stream.on("data", (chunk) => {
      stream.pause();
      response.write(chunk, () => setTimeout(() => stream.resume(), delayPerChunk));
    });
    stream.on("end", () => response.end());
    response.on("close", () => stream.destroy());
  };
  const server: Server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
