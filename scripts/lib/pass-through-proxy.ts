/**
 * A reverse proxy that does nothing but forward: every request goes to the target origin over
 * keep-alive connections, with its method, path, headers and body, and the answer comes back
 * unchanged. bench:broker runs it as its own process in front of the worker to measure what one
 * HTTP hop costs on the machine, apart from anything the broker does.
 *
 * Usage: node scripts/lib/pass-through-proxy.ts <target origin>   (prints "listening <port>")
 */
import { Agent, createServer, request } from "node:http";

const target = new URL(process.argv[2] ?? "");
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object") console.log(`listening ${address.port}`);
});
process.once("SIGTERM", () => process.exit(0));
