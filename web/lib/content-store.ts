/**
 * The content store behind POST /api/ipfs and GET /ipfs/<cid>, and where the broker reads worker
 * evidence: the embedded store (protocol/src/content/store.ts) by default, a Kubo node when
 * IPFS_API_URL is set. Both give the same CID for the same bytes (Kubo is asked for exactly the
 * settings the embedded store uses), and both are checked against the CID on every read.
 */
import { openContentStore, type ContentStore } from "@agentry/protocol/content-store";
import { assertContentSize, BrokerError, isProtocolError, MAX_CONTENT_BYTES, parseCid, verifyContent } from "@agentry/protocol";
import { serverConfig } from "./server-config.ts";

export type { ContentStore };

let store: Promise<ContentStore> | undefined;

export function contentStore(): Promise<ContentStore> {
  if (!store) {
    const config = serverConfig();
    store = config.ipfsApiUrl ? kuboContentStore(config.ipfsApiUrl) : openContentStore(config.contentDir);
    store.catch(() => (store = undefined));
  }
  return store;
}

/**
 * A Kubo node's RPC API as a content store. Uploads are added with the settings that make Kubo's
 * CID the embedded store's (CIDv1, raw leaves, 256 KiB chunks) and pinned; reads stop at
 * MAX_CONTENT_BYTES and are checked against the CID, so a node that serves other bytes is caught.
 */
export async function kuboContentStore(url: string): Promise<ContentStore> {
  const { create } = await import("kubo-rpc-client");
  const kubo = create({ url });
  const unavailable = (error: unknown) =>
    new BrokerError(
      "STORE_UNAVAILABLE",
      `the Kubo node at ${url} failed: ${(error as Error).message ?? String(error)}`,
      "check that the node runs and that IPFS_API_URL points at its RPC API (port 5001 by default); nothing was stored",
    );
  const kuboContent: ContentStore = {
    async put(bytes) {
      assertContentSize(bytes.byteLength);
      try {
        const added = await kubo.add(bytes, { cidVersion: 1, rawLeaves: true, chunker: "size-262144", pin: true, signal: AbortSignal.timeout(KUBO_TIMEOUT_MS) });
        return added.cid.toV1().toString();
      } catch (error) {
        throw unavailable(error);
      }
    },
    async get(cid) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        // Kubo gives up on its side at `timeout` (content nobody provides); the signal covers a node that hangs.
        for await (const chunk of kubo.cat(parseCid(cid), { timeout: KUBO_TIMEOUT_MS, signal: AbortSignal.timeout(KUBO_TIMEOUT_MS + 5_000) })) {
          size += chunk.byteLength;
          assertContentSize(size);
          chunks.push(chunk);
        }
      } catch (error) {
        if (isProtocolError(error)) throw error; // over MAX_CONTENT_BYTES
        const message = (error as Error).message ?? "";
        // What Kubo answers for content it does not have (offline), and for content it could not
        // find before its timeout ("context deadline exceeded", which kubo-rpc-client makes a TimeoutError).
        if (/not found|no link named|could not find/i.test(message) || (error as Error).name === "TimeoutError") return undefined;
        throw unavailable(error);
      }
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const c of chunks) {
        bytes.set(c, offset);
        offset += c.byteLength;
      }
      await verifyContent(cid, bytes);
      return bytes;
    },
    async has(cid) {
      return (await kuboContent.get(cid)) !== undefined;
    },
    async close() {},
  };
  return kuboContent;
}

/** How long Kubo may look for content, or take to store it. */
const KUBO_TIMEOUT_MS = 10_000;

export { MAX_CONTENT_BYTES };
