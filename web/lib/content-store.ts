/**
 * The content store behind POST /api/ipfs and GET /ipfs/<cid>, and where the broker reads worker
 * evidence: the embedded store (protocol/src/content/store.ts) by default, a Kubo node when
 * IPFS_API_URL is set. Both give the same CID for the same bytes (Kubo is asked for exactly the
 * settings the embedded store uses), and both are checked against the CID on every read. A store
 * that fails (a disk that cannot be written, a Kubo node that is down) is 503 STORE_UNAVAILABLE,
 * with a hint naming the setting to check.
 */
import { openContentStore, type ContentStore } from "@agentry/protocol/content-store";
import { assertContentSize, BrokerError, isProtocolError, MAX_CONTENT_BYTES, parseCid, verifyContent } from "@agentry/protocol";
import { serverConfig } from "./server-config.ts";

export type { ContentStore };

let store: Promise<ContentStore> | undefined;

export function contentStore(): Promise<ContentStore> {
  if (!store) {
    const config = serverConfig();
    store = config.ipfsApiUrl ? kuboContentStore(config.ipfsApiUrl) : embeddedContentStore(config.contentDir);
    store.catch(() => (store = undefined));
  }
  return store;
}

/** The embedded store in `directory` (AGENTRY_CONTENT_DIR). */
export async function embeddedContentStore(directory: string): Promise<ContentStore> {
  const failure = {
    what: `the content store in ${directory}`,
    hint: "check that AGENTRY_CONTENT_DIR is a writable directory with free space; nothing was stored",
  };
  return withFailuresReported(await reported(failure, () => openContentStore(directory)), failure);
}

/**
 * A Kubo node's RPC API as a content store. Uploads are added with the settings that make Kubo's
 * CID the embedded store's (CIDv1, raw leaves, 256 KiB chunks) and pinned; reads stop at
 * MAX_CONTENT_BYTES and are checked against the CID, so a node that serves other bytes is caught.
 */
export async function kuboContentStore(url: string): Promise<ContentStore> {
  const { create } = await import("kubo-rpc-client");
  const kubo = create({ url });
  const kuboContent: ContentStore = {
    async put(bytes) {
      assertContentSize(bytes.byteLength);
      const added = await kubo.add(bytes, { cidVersion: 1, rawLeaves: true, chunker: "size-262144", pin: true, signal: AbortSignal.timeout(KUBO_TIMEOUT_MS) });
      return added.cid.toV1().toString();
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
        // What Kubo answers for content it does not have (offline), and for content it could not
        // find before its timeout ("context deadline exceeded", which kubo-rpc-client makes a TimeoutError).
        const { name, message } = error as Error;
        if (/not found|no link named|could not find/i.test(message ?? "") || name === "TimeoutError") return undefined;
        throw error;
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
  return withFailuresReported(kuboContent, {
    what: `the Kubo node at ${url}`,
    hint: "check that the node runs and that IPFS_API_URL points at its RPC API (port 5001 by default); nothing was stored",
  });
}

/** How long Kubo may look for content, or take to store it. */
const KUBO_TIMEOUT_MS = 10_000;

interface StoreFailure {
  what: string;
  hint: string;
}

/** Runs `operation`; a failure that is not a verdict on the content itself becomes STORE_UNAVAILABLE. */
async function reported<T>(failure: StoreFailure, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    // Verdicts on the content or the request (too large, not a CID, bytes that do not match) stay as they are.
    if (isProtocolError(error) || error instanceof BrokerError) throw error;
    throw new BrokerError("STORE_UNAVAILABLE", `${failure.what} failed: ${(error as Error).message ?? String(error)}`, failure.hint);
  }
}

function withFailuresReported(inner: ContentStore, failure: StoreFailure): ContentStore {
  return {
    put: (bytes) => reported(failure, () => inner.put(bytes)),
    get: (cid) => reported(failure, () => inner.get(cid)),
    has: (cid) => reported(failure, () => inner.has(cid)),
    close: () => inner.close(),
  };
}

export { MAX_CONTENT_BYTES };
