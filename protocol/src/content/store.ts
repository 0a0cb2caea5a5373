/**
 * The embedded content-addressed store (Node only): UnixFS blocks in a directory, the same blocks
 * and CIDs an IPFS node would hold for the same bytes (see cid.ts). Registration files and
 * attestation evidence go in with `put`; `get` re-derives the CID from the bytes it returns, so a
 * block edited on disk is reported, never served.
 */
import { FsBlockstore } from "blockstore-fs";
import { exporter } from "ipfs-unixfs-exporter";
import type { CID } from "multiformats/cid";
import { ProtocolError } from "../errors.ts";
import { assertContentSize, importContent, MAX_CONTENT_BYTES, parseCid, verifyContent } from "./cid.ts";

export interface ContentStore {
  /** Stores `bytes`; returns their CIDv1 (what `ipfs add --cid-version=1` prints). Idempotent. */
  put(bytes: Uint8Array): Promise<string>;
  /** The content named by `cid`, checked against it; undefined when the store does not have it. */
  get(cid: string): Promise<Uint8Array | undefined>;
  has(cid: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function openContentStore(directory: string): Promise<ContentStore> {
  const blocks = new FsBlockstore(directory);
  await blocks.open();
  return {
    async put(bytes) {
      return (await importContent(bytes, blocks)).toString();
    },
    async get(cid) {
      const root = parseCid(cid);
      if (!(await blocks.has(root))) return undefined;
      const bytes = await readFile(root, blocks);
      await verifyContent(cid, bytes);
      return bytes;
    },
    async has(cid) {
      return blocks.has(parseCid(cid));
    },
    close: () => blocks.close(),
  };
}

async function readFile(root: CID, blocks: FsBlockstore): Promise<Uint8Array> {
  let entry;
  try {
    entry = await exporter(root, blocks);
  } catch (cause) {
    throw new ProtocolError("CONTENT_MISMATCH", `the stored blocks of ${root} are unreadable (missing or corrupted): ${(cause as Error).message}`, { cause });
  }
  if (entry.type !== "file" && entry.type !== "raw") {
    throw new ProtocolError("INVALID_CID", `${root} is a ${entry.type}, not a file`);
  }
  assertContentSize(Number(entry.size));
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of entry.content()) {
    length += chunk.byteLength;
    if (length > MAX_CONTENT_BYTES) assertContentSize(length);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
