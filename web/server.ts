/**
 * The dApp's production server: Next.js's request handler for pages and routes, with one fast path
 * in front of it. POST /api/invoke is on every paid call's path, and the App Router's per-request
 * machinery costs about 4 ms there (measured: BENCHMARKS.md, broker section), so this server hands
 * that one request straight to the same handler the route uses (lib/broker/endpoint.ts). Pages,
 * the other routes and `next dev` are unchanged.
 *
 * Usage: node --import tsx web/server.ts [--port 3000] [--hostname 127.0.0.1]
 * Configuration: the environment variables of lib/config.ts and lib/server-config.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { handleInvoke } from "./lib/broker/endpoint.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: process.env.PORT ?? "3000" }, hostname: { type: "string", default: "127.0.0.1" } } });
const port = Number(values.port);
const hostname = values.hostname!;
const dir = path.dirname(fileURLToPath(import.meta.url));

const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress);
  return new Request(`http://${hostname}:${port}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: "half",
  } as RequestInit);
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

const server = createServer((req, res) => {
  if (req.method === "POST" && (req.url === "/api/invoke" || req.url?.startsWith("/api/invoke?"))) {
    // handleInvoke answers every failure itself ({ error, reason, hint }); a send that fails means the client left.
    void handleInvoke(toRequest(req)).then((response) => send(response, res)).catch(() => res.destroy());
    return;
  }
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`agentry web listening on http://${hostname}:${port}`));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
