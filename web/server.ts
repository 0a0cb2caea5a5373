/**
 * The dApp's production server: Next.js's request handler for pages and routes, with one fast path
 * in front of it. POST /api/invoke is on every paid call's path, and the App Router's per-request
 * machinery costs about 4 ms there (measured: BENCHMARKS.md, broker section), so this server hands
 * that one request straight to the function the route uses (lib/broker/endpoint.ts), reading Node's
 * request and writing Node's response directly. Pages, the other routes and `next dev` are unchanged.
 *
 * Usage: node --import tsx web/server.ts [--port 3000] [--hostname 127.0.0.1]
 * Configuration: the environment variables of lib/config.ts and lib/server-config.ts.
 */
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import next from "next";
import { answerInvoke } from "./lib/broker/endpoint.ts";
import { announceClientAddressHeader, CLIENT_ADDRESS_HEADER, clientAddress, trustedProxies } from "./lib/client-address.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: process.env.PORT ?? "3000" }, hostname: { type: "string", default: "127.0.0.1" } } });
const port = Number(values.port);
const hostname = values.hostname!;
const dir = path.dirname(fileURLToPath(import.meta.url));

const hops = trustedProxies();
announceClientAddressHeader();
const app = next({ dev: false, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(",") : value;
  };
  const client = clientAddress(header("x-forwarded-for"), req.socket.remoteAddress, hops);
  if (req.method === "POST" && (req.url === "/api/invoke" || req.url?.startsWith("/api/invoke?"))) {
    // answerInvoke answers every failure itself ({ error, reason, hint }); a write that fails means the client left.
    const body = { contentType: header("content-type"), contentLength: header("content-length"), chunks: req };
    void answerInvoke(body, client)
      .then((answer) => res.writeHead(answer.status, answer.headers).end(answer.body))
      .catch(() => res.destroy());
    return;
  }
  req.headers[CLIENT_ADDRESS_HEADER] = client; // replaces whatever the client sent
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`agentry web listening on http://${hostname}:${port}`));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
