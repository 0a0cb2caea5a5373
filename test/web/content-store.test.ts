/**
 * The dApp server's content stores (web/lib/content-store.ts). Mostly the Kubo-backed one (used
 * when IPFS_API_URL is set), through the real kubo-rpc-client, against a server that answers
 * /api/v0/add and /api/v0/cat as Kubo's RPC API does (NDJSON add results, raw cat bytes, Kubo's
 * JSON errors). Kubo itself cannot run on the test machines (its npm package downloads the binary
 * at install time), so what is checked here is the adapter: the settings it asks Kubo for, and how
 * it treats what comes back, including a node that serves the wrong bytes, too many bytes, or is
 * not there at all. Then the embedded store's failures, reported the same way.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { cidOf, isProtocolError, MAX_CONTENT_BYTES } from "../../protocol/src/index.ts";
import { BrokerError } from "../../protocol/src/broker-api.ts";
import { embeddedContentStore, kuboContentStore } from "../../web/lib/content-store.ts";

const stored = new Map<string, Uint8Array>();
/** CID → bytes served instead of the real ones (a corrupted or lying node). */
const served = new Map<string, Uint8Array>();
/** CIDs Kubo looks for until its timeout elapses (nobody provides them). */
const unfindable = new Set<string>();
const addParams: URLSearchParams[] = [];
let oversizedCid = "";
let server: Server;
let url: string;

function kuboError(res: ServerResponse, message: string) {
  res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ Message: message, Code: 0, Type: "error" }));
}

before(async () => {
  oversizedCid = await cidOf(new TextEncoder().encode("a file Kubo serves too much of"));
  server = createServer(async (req, res) => {
    const requestUrl = new URL(req.url ?? "/", "http://kubo");
    const body = await buffer(req);
    if (req.method !== "POST") return kuboError(res, `method ${req.method} not allowed`);
    if (requestUrl.pathname === "/api/v0/add") {
      addParams.push(requestUrl.searchParams);
      // The multipart body kubo-rpc-client sends, parsed with the platform's own parser.
      const form = await new Request("http://kubo/", { method: "POST", headers: { "content-type": req.headers["content-type"]! }, body }).formData();
      const file = [...form.values()].find((value): value is File => typeof value !== "string");
      if (!file) return kuboError(res, "no file in the request");
      const bytes = new Uint8Array(await file.arrayBuffer());
      const cid = await cidOf(bytes);
      stored.set(cid, bytes);
      res.writeHead(200, { "content-type": "application/x-ndjson" }).end(`${JSON.stringify({ Name: cid, Hash: cid, Size: String(bytes.byteLength) })}\n`);
      return;
    }
    if (requestUrl.pathname === "/api/v0/cat") {
      const cid = requestUrl.searchParams.get("arg") ?? "";
      if (requestUrl.searchParams.get("timeout") !== "10000ms") return kuboError(res, "expected a timeout");
      if (cid === oversizedCid) {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const block = Buffer.alloc(1024 * 1024, 1);
        for (let i = 0; i <= MAX_CONTENT_BYTES / block.length && !res.destroyed; i++) {
          if (!res.write(block)) await new Promise((resolve) => res.once("drain", resolve));
        }
        return res.end();
      }
      const bytes = served.get(cid) ?? stored.get(cid);
      if (unfindable.has(cid)) return kuboError(res, "context deadline exceeded");
      if (!bytes) return kuboError(res, `block was not found locally (offline): ipld: could not find ${cid}`);
      // In two writes, as a node streams a file block by block.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write(bytes.subarray(0, bytes.length >> 1));
      res.end(bytes.subarray(bytes.length >> 1));
      return;
    }
    kuboError(res, `unknown command ${requestUrl.pathname}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("put asks Kubo for the embedded store's CID settings, pins, and answers the CID; get reads the bytes back", async () => {
  const kubo = await kuboContentStore(url);
  for (const size of [0, 5, 300 * 1024]) {
    const bytes = new Uint8Array(randomBytes(size));
    const cid = await kubo.put(bytes);
    assert.equal(cid, await cidOf(bytes), `CID of ${size} bytes`);
    const params = addParams.at(-1)!;
    assert.equal(params.get("cid-version"), "1");
    assert.equal(params.get("raw-leaves"), "true");
    assert.equal(params.get("chunker"), "size-262144");
    assert.equal(params.get("pin"), "true");
    assert.deepEqual(await kubo.get(cid), bytes);
    assert.equal(await kubo.has(cid), true);
  }
});

test("content Kubo does not have, or cannot find in time, is absent (a 404), not an error", async () => {
  const kubo = await kuboContentStore(url);
  const missing = await cidOf(new TextEncoder().encode("never uploaded"));
  assert.equal(await kubo.get(missing), undefined);
  assert.equal(await kubo.has(missing), false);
  const unprovided = await cidOf(new TextEncoder().encode("nobody provides this"));
  unfindable.add(unprovided);
  assert.equal(await kubo.get(unprovided), undefined);
});

test("a node that serves other bytes than the CID's is caught; one that serves too many is cut off at the limit", async () => {
  const kubo = await kuboContentStore(url);
  const original = new TextEncoder().encode('{"name":"original"}');
  const cid = await kubo.put(original);
  served.set(cid, new TextEncoder().encode('{"name":"tampered"}'));
  await assert.rejects(kubo.get(cid), (error: unknown) => isProtocolError(error, "CONTENT_MISMATCH"));
  served.delete(cid);
  assert.deepEqual(await kubo.get(cid), original);

  await assert.rejects(kubo.get(oversizedCid), (error: unknown) => isProtocolError(error, "CONTENT_TOO_LARGE"));
  await assert.rejects(kubo.put(new Uint8Array(MAX_CONTENT_BYTES + 1)), (error: unknown) => isProtocolError(error, "CONTENT_TOO_LARGE"));
});

test("a Kubo node that is not there is a 503 STORE_UNAVAILABLE that names IPFS_API_URL, for uploads and reads", async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const kubo = await kuboContentStore(deadUrl);
  const check = (error: unknown) => {
    assert.ok(error instanceof BrokerError, String(error));
    assert.equal(error.code, "STORE_UNAVAILABLE");
    assert.equal(error.status, 503);
    assert.match(error.message, new RegExp(`Kubo node at ${deadUrl}`));
    assert.match(error.hint, /IPFS_API_URL/);
    return true;
  };
  await assert.rejects(kubo.put(new TextEncoder().encode("{}")), check);
  await assert.rejects(kubo.get(await cidOf(new TextEncoder().encode("{}"))), check);
});

test("an embedded store whose directory cannot be created is a 503 STORE_UNAVAILABLE that names AGENTRY_CONTENT_DIR", async () => {
  // A directory path under a regular file: no user, root included, can create it.
  const directory = path.join(fileURLToPath(import.meta.url), "content");
  await assert.rejects(embeddedContentStore(directory), (error: unknown) => {
    assert.ok(error instanceof BrokerError, String(error));
    assert.equal(error.code, "STORE_UNAVAILABLE");
    assert.match(error.message, new RegExp(`content store in ${directory.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.match(error.hint, /AGENTRY_CONTENT_DIR/);
    return true;
  });
});

test("the embedded store behind the same wrapper still answers content verdicts as they are", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "agentry-content-"));
  try {
    const embedded = await embeddedContentStore(dir);
    const bytes = new TextEncoder().encode('{"name":"embedded"}');
    const cid = await embedded.put(bytes);
    assert.equal(cid, await cidOf(bytes));
    assert.deepEqual(await embedded.get(cid), bytes);
    assert.equal(await embedded.get(await cidOf(new TextEncoder().encode("absent"))), undefined);
    await assert.rejects(embedded.get("not-a-cid"), (error: unknown) => isProtocolError(error, "INVALID_CID"));
    await embedded.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
