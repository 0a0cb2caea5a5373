import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import { cidFromUri, cidOf, ipfsUri, isProtocolError, MAX_CONTENT_BYTES, verifyContent } from "../../protocol/src/index.ts";
import { openContentStore, type ContentStore } from "../../protocol/src/content/store.ts";

const RAW = 0x55;
const SHA2_256 = 0x12;

/** Debian's ipfs-cid (a Rust implementation) prints the CIDs Kubo's default `ipfs add` gives. */
async function debianCid(bytes: Uint8Array): Promise<{ CIDv0: string; CIDv1: string }> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), "agentry-cid-")), "content.bin");
  await writeFile(file, bytes);
  // It prints the JSON line, then exits non-zero after a spurious I/O error: keep its stdout.
  let output: string;
  try {
    output = execFileSync("ipfs_cid", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? "");
  } finally {
    await rm(path.dirname(file), { recursive: true, force: true });
  }
  const line = output.split("\n").find((l) => l.startsWith("{"));
  assert.ok(line, `ipfs_cid printed no JSON: ${output}`);
  return JSON.parse(line) as { CIDv0: string; CIDv1: string };
}

describe("CIDs", () => {
  it("a file of one chunk is a raw block whose CID is sha256 of the bytes (as `ipfs add --cid-version=1`)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        const cid = CID.parse(await cidOf(bytes));
        assert.equal(cid.version, 1);
        assert.equal(cid.code, RAW);
        assert.equal(cid.multihash.code, SHA2_256);
        assert.deepEqual(Buffer.from(cid.multihash.digest), createHash("sha256").update(bytes).digest());
      }),
      { numRuns: 50 },
    );
    assert.equal(await cidOf(new TextEncoder().encode("hello\n")), "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
  });

  it("matches an independent implementation (Debian's ipfs-cid) with Kubo's default settings, across chunk boundaries", async () => {
    const chunk = 256 * 1024;
    for (const size of [0, 1, 6, chunk - 1, chunk, chunk + 1, 3 * chunk + 12_345]) {
      const bytes = new Uint8Array(randomBytes(size));
      const expected = await debianCid(bytes);
      assert.equal(await cidOf(bytes, 0), expected.CIDv0, `CIDv0 of ${size} bytes`);
      assert.equal(CID.parse(await cidOf(bytes, 0)).toV1().toString(), expected.CIDv1, `CIDv1 of ${size} bytes`);
      await verifyContent(expected.CIDv1, bytes);
      await verifyContent(expected.CIDv0, bytes);
    }
  });

  it("verifyContent refuses bytes that are not the content, saying which CID they hash to", async () => {
    const bytes = new TextEncoder().encode('{"name":"agent"}');
    const cid = await cidOf(bytes);
    await verifyContent(cid, bytes);
    const tampered = new TextEncoder().encode('{"name":"agenT"}');
    await assert.rejects(verifyContent(cid, tampered), (e) => isProtocolError(e, "CONTENT_MISMATCH") && e.message.includes(cid));
    await assert.rejects(verifyContent("not-a-cid", bytes), (e) => isProtocolError(e, "INVALID_CID"));
  });

  it("reads ipfs:// URIs, normalizing v0 CIDs to v1, and ignores other schemes", async () => {
    const cid = await cidOf(new Uint8Array([1, 2, 3]));
    assert.equal(cidFromUri(ipfsUri(cid)), cid);
    assert.equal(cidFromUri(`ipfs://ipfs/${cid}/registration.json`), cid);
    const v0 = "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN";
    assert.equal(cidFromUri(`ipfs://${v0}`), CID.parse(v0).toV1().toString());
    assert.equal(cidFromUri("https://example.org/agent.json"), undefined);
    assert.throws(() => cidFromUri("ipfs://nope"), (e) => isProtocolError(e, "INVALID_CID"));
  });
});

describe("the embedded content store", () => {
  let dir: string;
  let store: ContentStore;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "agentry-content-"));
    store = await openContentStore(dir);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores and returns content under the CID an IPFS node would give it, and survives reopening", async () => {
    const small = new TextEncoder().encode(JSON.stringify({ type: "registration", name: "Echo" }));
    const large = new Uint8Array(randomBytes(1_000_000));
    const smallCid = await store.put(small);
    const largeCid = await store.put(large);
    assert.equal(smallCid, await cidOf(small));
    assert.equal(largeCid, await cidOf(large));
    assert.ok(largeCid.startsWith("bafybei"), "a multi-chunk file is a dag-pb root");
    assert.equal(await store.put(small), smallCid, "put is idempotent");

    await store.close();
    store = await openContentStore(dir);
    assert.deepEqual(await store.get(smallCid), small);
    assert.deepEqual(await store.get(largeCid), large);
    assert.equal(await store.has(largeCid), true);
    assert.equal(await store.get(await cidOf(new Uint8Array([9]))), undefined, "unknown content is undefined, not an error");
  });

  it("refuses to serve a block edited on disk", async () => {
    const bytes = new TextEncoder().encode("evidence bytes that will be corrupted");
    const cid = await store.put(bytes);
    const files = await listFiles(dir);
    let corrupted = 0;
    for (const file of files) {
      const content = await readFile(file);
      if (Buffer.from(content).equals(Buffer.from(bytes))) {
        content[0] = content[0]! ^ 0xff;
        await writeFile(file, content);
        corrupted += 1;
      }
    }
    assert.equal(corrupted, 1, "the raw block is stored as a file holding the bytes");
    await assert.rejects(store.get(cid), (e) => isProtocolError(e, "CONTENT_MISMATCH"));
  });

  it("refuses content over the size limit before writing anything", async () => {
    const before = (await listFiles(dir)).length;
    await assert.rejects(store.put(new Uint8Array(MAX_CONTENT_BYTES + 1)), (e) => isProtocolError(e, "CONTENT_TOO_LARGE") && /4 MiB/.test(e.message));
    assert.equal((await listFiles(dir)).length, before);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else if ((await stat(full)).isFile()) out.push(full);
  }
  return out;
}
