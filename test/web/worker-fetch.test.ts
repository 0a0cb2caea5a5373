/**
 * The broker's fetch to workers (node:http keep-alive): JSON answers read whole, other answers
 * streamed, empty statuses, headers both ways, aborts, and a worker that dies mid-answer.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createWorkerFetch } from "../../web/lib/broker/worker-fetch.ts";

let server: Server;
let base: string;
const sockets = new Set<string>();
const { fetch, close } = createWorkerFetch();

before(async () => {
  server = createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      switch (req.url) {
        case "/json":
          res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "s1" }).end(JSON.stringify({ method: req.method, body, auth: req.headers["x-test"] }));
          return;
        case "/accepted":
          res.writeHead(202).end();
          return;
        case "/sse":
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write("data: one\n\n");
          setTimeout(() => res.end("data: two\n\n"), 20);
          return;
        case "/slow":
          setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 2_000);
          return;
        case "/dies":
          res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
          res.write('{"partial":');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  close();
  server.close();
});

test("a JSON answer: status, headers and body; request headers and body are sent; connections are reused", async () => {
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`${base}/json`, { method: "POST", headers: new Headers({ "x-test": "yes", "content-type": "application/json" }), body: '{"a":1}' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("mcp-session-id"), "s1");
    assert.deepEqual(await response.json(), { method: "POST", body: '{"a":1}', auth: "yes" });
  }
  assert.equal(sockets.size, 1, "one keep-alive connection for sequential calls");
});

test("an empty 202 reads as empty; an event stream is passed on as a stream", async () => {
  const accepted = await fetch(`${base}/accepted`, { method: "POST", body: "{}" });
  assert.equal(accepted.status, 202);
  assert.equal(await accepted.text(), "");
  const sse = await fetch(`${base}/sse`);
  assert.equal(sse.headers.get("content-type"), "text/event-stream");
  assert.equal(await sse.text(), "data: one\n\ndata: two\n\n");
});

test("an abort rejects with the signal's reason", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("caller gave up")), 50);
  await assert.rejects(fetch(`${base}/slow`, { signal: controller.signal }), /caller gave up/);
  await assert.rejects(fetch(`${base}/json`, { signal: AbortSignal.abort(new Error("already")) }), /already/);
});

test("a worker that dies mid-answer, or is not there, rejects instead of answering half a body", async () => {
  await assert.rejects(fetch(`${base}/dies`, { method: "POST", body: "{}" }), /closed before the whole answer|aborted|socket hang up|ECONNRESET/);
  const unused = createServer();
  await new Promise<void>((resolve) => unused.listen(0, "127.0.0.1", resolve));
  const port = (unused.address() as AddressInfo).port;
  await new Promise((resolve) => unused.close(resolve));
  await assert.rejects(fetch(`http://127.0.0.1:${port}/mcp`, { method: "POST", body: "{}" }), /ECONNREFUSED/);
});
