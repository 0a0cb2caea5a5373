/**
 * Reading a worker's receipts endpoint (protocol/src/worker-receipts.ts) from a server that pages
 * as the worker does (worker/src/http.ts: `to` capped at from + 999 and at the last served call),
 * and from servers that misbehave: errors, oversized or endless answers, pages that are not pages.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_RECEIPTS_PAGE_BYTES, workerBaseUrl, workerReceiptPages, type ReceiptsPage } from "../../protocol/src/index.ts";

type Behaviour = (from: number, to: number, res: import("node:http").ServerResponse) => void;

describe("worker receipt pages", () => {
  let server: Server;
  let base = "";
  const requests: string[] = [];
  let behaviour: Behaviour;

  /** A worker that served `last` calls. */
  const honest = (last: number): Behaviour => (from, to, res) => {
    const end = Math.min(last, to, from + 999);
    const receipts = [];
    for (let calls = Math.max(1, from); calls <= end; calls++) receipts.push({ calls, voucher: {}, receipt: { calls } });
    res.setHeader("content-type", "application/json").end(JSON.stringify({ agreementId: "7", lastCalls: last, receipts }));
  };

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, "http://x");
      requests.push(`${url.pathname}${url.search}`);
      behaviour(Number(url.searchParams.get("from") ?? 1), Number(url.searchParams.get("to") ?? Infinity), res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const read = async (options: Parameters<typeof workerReceiptPages>[2] = {}) => {
    requests.length = 0;
    const pages: ReceiptsPage[] = [];
    for await (const page of workerReceiptPages(`${base}/mcp`, 7n, options)) pages.push(page);
    return pages.flatMap((p) => p.receipts.map((r) => r.calls));
  };

  it("reads every call in pages of 1,000, from the MCP endpoint's base", async () => {
    behaviour = honest(2_500);
    const calls = await read();
    assert.equal(calls.length, 2_500);
    assert.deepEqual([calls[0], calls.at(-1)], [1, 2_500]);
    assert.deepEqual(requests, ["/receipts/7?from=1&to=1000", "/receipts/7?from=1001&to=2000", "/receipts/7?from=2001&to=3000"]);
    assert.equal(workerBaseUrl("https://w.example/mcp/"), "https://w.example");
  });

  it("reads a range, across pages when it is longer than one", async () => {
    behaviour = honest(2_500);
    assert.deepEqual(await read({ from: 4n, to: 6n }), [4, 5, 6]);
    assert.deepEqual(requests, ["/receipts/7?from=4&to=6"]);
    const long = await read({ from: 500n, to: 1_700n });
    assert.deepEqual([long.length, long[0], long.at(-1)], [1_201, 500, 1_700]);
    assert.deepEqual(requests, ["/receipts/7?from=500&to=1499", "/receipts/7?from=1500&to=1700"]);
    assert.deepEqual(await read({ from: 2_400n, to: 9_000n }).then((c) => [c.length, c.at(-1)]), [101, 2_500], "stops at the worker's last call");
  });

  it("stops after maxPages, and at an empty page whatever lastCalls claims", async () => {
    behaviour = honest(2_500);
    assert.equal((await read({ maxPages: 2 })).length, 2_000);
    behaviour = (_from, _to, res) => res.end(JSON.stringify({ agreementId: "7", lastCalls: 1_000_000, receipts: [] }));
    assert.deepEqual(await read(), []);
    assert.equal(requests.length, 1);
  });

  it("refuses answers that are errors, too large, or not pages, naming the worker", async () => {
    const cases: Array<[string, Behaviour, RegExp]> = [
      ["an HTTP error", (_f, _t, res) => res.writeHead(503).end("down"), /HTTP 503/],
      ["a declared oversize body", (_f, _t, res) => res.setHeader("content-length", MAX_RECEIPTS_PAGE_BYTES + 1).end(), /over 2097152 bytes/],
      ["an endless body", (_f, _t, res) => {
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => { while (res.write(chunk)); };
        res.on("drain", pump);
        res.on("close", () => res.off("drain", pump));
        pump();
      }, /over 2097152 bytes/],
      ["not JSON", (_f, _t, res) => res.end("<html>"), /Unexpected token/],
      ["not a page", (_f, _t, res) => res.end(JSON.stringify({ agreementId: "7", receipts: [] })), /not a receipts page \(lastCalls/],
      ["more rows than a page holds", (_f, _t, res) => res.end(JSON.stringify({ agreementId: "7", lastCalls: 2_000, receipts: Array.from({ length: 1_001 }, (_, i) => ({ calls: i + 1 })) })), /not a receipts page \(receipts/],
    ];
    for (const [what, misbehaviour, reason] of cases) {
      behaviour = misbehaviour;
      await assert.rejects(read(), (error: Error) => {
        assert.match(error.message, new RegExp(`^worker ${base} did not give its receipts`), what);
        assert.match(error.message, reason, what);
        return true;
      });
    }
  });

  it("gives up on a worker that does not answer in time", async () => {
    behaviour = () => undefined; // never answers
    await assert.rejects(read({ timeoutMs: 200 }), /did not give its receipts \(.*(aborted|timeout)/i);
  });
});
