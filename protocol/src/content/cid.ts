/**
 * Content identifiers, computed exactly as Kubo's `ipfs add --cid-version=1` does (its defaults:
 * 256 KiB fixed-size chunks, raw leaves, balanced DAG of at most 174 links per node). A file of at
 * most one chunk is a single raw block, so its CID is `bafkrei…` = sha256 of the bytes; larger files
 * are a dag-pb root `bafybei…`. Pinning the settings keeps our CIDs equal to what any IPFS node
 * produces for the same bytes, which is what lets a registration file uploaded here be fetched
 * from (and verified by) the rest of the network. Browser-safe.
 */
import { importer, type ImporterOptions } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { balanced } from "ipfs-unixfs-importer/layout";
import { CID } from "multiformats/cid";
import { ProtocolError } from "../errors.ts";

/** Largest content the store accepts: registration files and attestation evidence are kilobytes. */
export const MAX_CONTENT_BYTES = 4 * 1024 * 1024;

const CHUNK_SIZE = 256 * 1024;

/**
 * Kubo's import settings for `ipfs add --cid-version=<v>`: version 1 implies raw leaves, version 0
 * (Kubo's historical default, what most tools print as Qm…) wraps leaves in UnixFS nodes.
 */
export function kuboImportOptions(cidVersion: 0 | 1 = 1): ImporterOptions {
  return {
    cidVersion,
    rawLeaves: cidVersion === 1,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: 174 }),
  };
}

/** Where the importer writes blocks; the store passes its blockstore, `cidOf` a sink. */
export interface BlockSink {
  put(cid: CID, bytes: Uint8Array): Promise<CID> | CID;
}

const discard: BlockSink = { put: (cid) => cid };

/** Imports `bytes` as one UnixFS file, writing its blocks to `sink`; returns the root CID. */
export async function importContent(bytes: Uint8Array, sink: BlockSink = discard, cidVersion: 0 | 1 = 1): Promise<CID> {
  assertContentSize(bytes.byteLength);
  let root: CID | undefined;
  for await (const entry of importer([{ content: bytes }], sink as Parameters<typeof importer>[1], kuboImportOptions(cidVersion))) {
    root = entry.cid;
  }
  if (!root) throw new Error("the UnixFS importer produced no root");
  return root;
}

/** The CID of `bytes`, identical to what `ipfs add --cid-version=<v>` prints (default v1, base32). */
export async function cidOf(bytes: Uint8Array, cidVersion: 0 | 1 = 1): Promise<string> {
  return (await importContent(bytes, discard, cidVersion)).toString();
}

export function assertContentSize(size: number): void {
  if (size > MAX_CONTENT_BYTES) {
    throw new ProtocolError("CONTENT_TOO_LARGE", `content is ${size} bytes; the limit is ${MAX_CONTENT_BYTES} bytes (4 MiB)`);
  }
}

/** Parses a CID string (v0 or v1, any multibase the library knows), with an error that says what is wrong. */
export function parseCid(text: string): CID {
  try {
    return CID.parse(text.trim());
  } catch (cause) {
    throw new ProtocolError("INVALID_CID", `"${text.slice(0, 80)}" is not a CID: expected e.g. bafkrei… or bafybei…`, { cause });
  }
}

/** `ipfs://<cid>` for a CID; the on-chain form of registration and evidence URIs. */
export function ipfsUri(cid: string | CID): string {
  return `ipfs://${cid.toString()}`;
}

/** The CID of an `ipfs://<cid>[/path]` URI (normalized to CIDv1 base32), or undefined for other URIs. */
export function cidFromUri(uri: string): string | undefined {
  const match = /^ipfs:\/\/(?:ipfs\/)?([^/?#]+)/.exec(uri.trim());
  if (!match?.[1]) return undefined;
  return parseCid(match[1]).toV1().toString();
}

/**
 * Checks that `bytes` are the content `cid` names; throws CONTENT_MISMATCH otherwise. A dag-pb CID
 * may come from either Kubo profile (v1 with raw leaves, or the v0 layout printed in base32), so
 * both are tried before refusing.
 */
export async function verifyContent(cid: string, bytes: Uint8Array): Promise<void> {
  const parsed = parseCid(cid);
  const expected = parsed.toV1().toString();
  const candidates: Array<0 | 1> = parsed.version === 0 ? [0] : parsed.code === DAG_PB ? [1, 0] : [1];
  let actual = "";
  for (const version of candidates) {
    actual = (await importContent(bytes, discard, version)).toV1().toString();
    if (actual === expected) return;
  }
  throw new ProtocolError("CONTENT_MISMATCH", `content does not match its CID: expected ${expected}, the bytes hash to ${actual}`);
}

const DAG_PB = 0x70;
