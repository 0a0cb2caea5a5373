/**
 * The content store behind POST /api/ipfs and GET /ipfs/<cid>, and where the broker reads worker
 * evidence: the embedded store (protocol/src/content/store.ts) by default, a Kubo node when
 * IPFS_API_URL is set. Both give the same CID for the same bytes (Kubo is asked for exactly the
 * settings the embedded store uses), and both are checked against the CID on every read.
 */
import { openContentStore, type ContentStore } from "@agentry/protocol/content-store";
import { assertContentSize, MAX_CONTENT_BYTES, parseCid, verifyContent } from "@agentry/protocol";
import { serverConfig } from "./server-config.ts";

export type { ContentStore };

let store: Promise<ContentStore> | undefined;

export function contentStore(): Promise<ContentStore> {
  if (!store) {
    const config = serverConfig();
    store = config.ipfsApiUrl ? kuboStore(config.ipfsApiUrl) : openContentStore(config.contentDir);
    store.catch(() => (store = undefined));
  }
  return store;
}

async function kuboStore(url: string): Promise<ContentStore> {
  const { create } = await import("kubo-rpc-client");
  const kubo = create({ url });
  const kuboContent: ContentStore = {
    async put(bytes) {
      assertContentSize(bytes.byteLength);
      const added = await kubo.add(bytes, { cidVersion: 1, rawLeaves: true, chunker: "size-262144", pin: true });
      return added.cid.toV1().toString();
    },
    async get(cid) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        for await (const chunk of kubo.cat(parseCid(cid), { timeout: 10_000 })) {
          size += chunk.byteLength;
          assertContentSize(size);
          chunks.push(chunk);
        }
      } catch (error) {
        if (/not found|no link named|timeout/i.test((error as Error).message)) return undefined;
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
  return kuboContent;
}

export { MAX_CONTENT_BYTES };
