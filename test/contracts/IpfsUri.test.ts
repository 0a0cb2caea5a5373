/**
 * AgentRegistry URI storage (contracts/libraries/IpfsUri.sol): a canonical `ipfs://bafkrei...` or
 * `ipfs://bafybei...` URI is stored as its digest and re-encoded by tokenURI, anything else is
 * stored verbatim. Either way tokenURI must return the registered string byte for byte.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { deployAgentry, networkHelpers, SAMPLE_URI, type Agentry } from "../support/fixture.ts";

// ------------------------------------------------------------------------------ CID helpers

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const RAW = 0x55;
const DAG_PB = 0x70;
const DAG_CBOR = 0x71;
const SHA2_256 = 0x12;
const BLAKE3 = 0x1e;

/** RFC 4648 base32, lowercase, unpadded (multibase "b" without its prefix). */
function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** `ipfs://` + CIDv1 (multibase base32) of a 32-byte digest. */
function cidUri(codec: number, digest: Hex, hashCode: number = SHA2_256, scheme = "ipfs://"): string {
  const d = hexToBytes(digest);
  assert.equal(d.length, 32);
  return `${scheme}b${base32Encode(Uint8Array.from([0x01, codec, hashCode, 0x20, ...d]))}`;
}

/** Parses `ipfs://b<base32 CIDv1>` back into codec and digest (for checking the helpers). */
function parseCidUri(uri: string): { codec: number; hashCode: number; digest: Hex } {
  assert.ok(uri.startsWith("ipfs://b"));
  const bytes = base32Decode(uri.slice("ipfs://b".length));
  assert.equal(bytes.length, 36);
  assert.equal(bytes[0], 0x01);
  assert.equal(bytes[3], 0x20);
  return { codec: bytes[1]!, hashCode: bytes[2]!, digest: bytesToHex(bytes.slice(4)) };
}

function sha256(label: string): Hex {
  return `0x${createHash("sha256").update(label).digest("hex")}`;
}

function replaceAt(s: string, index: number, ch: string): string {
  return s.slice(0, index) + ch + s.slice(index + 1);
}

/** A well-known real dag-pb CIDv1 (the IPFS docs' example directory). */
const DOCS_DAG_PB_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

async function registerAs(a: Agentry, uri: string): Promise<{ id: bigint; gasUsed: bigint }> {
  const id = await a.agentRegistry.read.nextAgentId();
  const hash = await a.agentRegistry.write.register([uri], { account: a.provider.account });
  const receipt = await a.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  return { id, gasUsed: receipt.gasUsed };
}

async function assertRoundTrip(a: Agentry, uri: string): Promise<bigint> {
  const { id } = await registerAs(a, uri);
  assert.equal(await a.agentRegistry.read.tokenURI([id]), uri, `tokenURI(${id}) for ${JSON.stringify(uri)}`);
  return id;
}

// ------------------------------------------------------------------------------------ tests

describe("IpfsUri: test helpers", () => {
  it("encode real CIDs exactly as IPFS prints them", () => {
    const sample = parseCidUri(SAMPLE_URI);
    assert.equal(sample.codec, RAW);
    assert.equal(sample.hashCode, SHA2_256);
    assert.equal(cidUri(RAW, sample.digest), SAMPLE_URI);
    const docs = parseCidUri(DOCS_DAG_PB_URI);
    assert.equal(docs.codec, DAG_PB);
    assert.equal(docs.hashCode, SHA2_256);
    assert.equal(cidUri(DAG_PB, docs.digest), DOCS_DAG_PB_URI);
    assert.ok(cidUri(RAW, sha256("x")).startsWith("ipfs://bafkrei"));
    assert.ok(cidUri(DAG_PB, sha256("x")).startsWith("ipfs://bafybei"));
    assert.ok(cidUri(DAG_CBOR, sha256("x")).startsWith("ipfs://bafyrei"));
    assert.ok(cidUri(RAW, sha256("x"), BLAKE3).startsWith("ipfs://bafkr4i"));
  });
});

describe("AgentRegistry URI storage (IpfsUri)", () => {
  it("returns the canonical raw CID from the fixture byte for byte", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    await assertRoundTrip(a, SAMPLE_URI);
  });

  it("returns real dag-pb CIDv1 URIs byte for byte", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    await assertRoundTrip(a, DOCS_DAG_PB_URI);
    await assertRoundTrip(a, cidUri(DAG_PB, sha256("registration file")));
  });

  it("round-trips digests at the edges of the first and last characters", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const digests: Hex[] = [
      `0x${"ff".repeat(32)}`, // 15th char 'h', every body char '7'
      `0x${"00".repeat(31)}01`, // top bits zero: 15th char 'a'
      `0x${"80".repeat(32)}`,
      `0x1${"0".repeat(63)}`, // only bit 252 set: 15th char 'a', next char 'q'
      `0x2${"0".repeat(63)}`, // only bit 253 set: 15th char 'b'
      `0x${"0".repeat(63)}4`, // lowest non-zero bits land in the last char
    ];
    for (const digest of digests) {
      await assertRoundTrip(a, cidUri(RAW, digest));
      await assertRoundTrip(a, cidUri(DAG_PB, digest));
    }
  });

  it("round-trips 50 random sha2-256 digests for both codecs", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const uris: string[] = [];
    for (let i = 0; i < 50; i++) {
      const digest = sha256(`agent registration file #${i}`);
      uris.push(cidUri(RAW, digest), cidUri(DAG_PB, digest));
    }
    const firstId = await a.agentRegistry.read.nextAgentId();
    for (const uri of uris) {
      await a.agentRegistry.write.register([uri], { account: a.provider.account });
    }
    for (const [i, uri] of uris.entries()) {
      assert.equal(await a.agentRegistry.read.tokenURI([firstId + BigInt(i)]), uri);
    }
  });

  it("round-trips the all-zero digest (an accepted canonical URI must never read back empty)", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const zero: Hex = `0x${"00".repeat(32)}`;
    const rawZero = cidUri(RAW, zero);
    const dagPbZero = cidUri(DAG_PB, zero);
    assert.equal(rawZero, `ipfs://bafkrei${"a".repeat(52)}`);
    await assertRoundTrip(a, rawZero);
    await assertRoundTrip(a, dagPbZero);
    // and through setAgentURI, replacing another form
    const { id } = await registerAs(a, "https://example.com/agent.json");
    await a.agentRegistry.write.setAgentURI([id, rawZero], { account: a.provider.account });
    assert.equal(await a.agentRegistry.read.tokenURI([id]), rawZero);
  });

  it("stores non-canonical near-misses verbatim and returns them exactly", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const digest = parseCidUri(SAMPLE_URI).digest;
    const last = SAMPLE_URI.length - 1;
    assert.equal(SAMPLE_URI[last], "y"); // value 24: both padding bits are zero
    const nearMisses: string[] = [
      replaceAt(SAMPLE_URI, 30, SAMPLE_URI[30]!.toUpperCase()), // one uppercase body char
      `ipfs://${SAMPLE_URI.slice(7).toUpperCase()}`, // multibase base32upper ("B...")
      replaceAt(SAMPLE_URI, 8, "A"), // uppercase in the prefix
      `${SAMPLE_URI}a`, // 67 characters
      SAMPLE_URI.slice(0, -1), // 65 characters
      replaceAt(SAMPLE_URI, 14, "i"), // 15th char beyond 'h': non-zero bits in 0x20
      replaceAt(SAMPLE_URI, 14, "z"),
      replaceAt(SAMPLE_URI, 14, "2"),
      replaceAt(SAMPLE_URI, 14, "`"), // just below 'a'
      replaceAt(SAMPLE_URI, last, "z"), // padding bits 01
      replaceAt(SAMPLE_URI, last, "2"), // padding bits 10
      replaceAt(SAMPLE_URI, last, "3"), // padding bits 11
      replaceAt(SAMPLE_URI, 40, "1"), // not in the alphabet
      replaceAt(SAMPLE_URI, 40, "8"),
      replaceAt(SAMPLE_URI, 40, "0"),
      replaceAt(SAMPLE_URI, 40, "{"), // just above 'z'
      replaceAt(SAMPLE_URI, 40, "`"), // just below 'a'
      replaceAt(SAMPLE_URI, 40, "="),
      cidUri(DAG_CBOR, digest), // bafyrei...: valid CID, other codec
      cidUri(RAW, digest, BLAKE3), // bafkr4i...: valid CID, other hash
      cidUri(RAW, digest, SHA2_256, "ipns://"), // same length, other scheme
      cidUri(DAG_PB, digest, SHA2_256, "IPFS://"),
      "ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", // CIDv0
      "ipfs://QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB/agent.json",
      `${DOCS_DAG_PB_URI}/agent.json`,
      `https://${DOCS_DAG_PB_URI.slice(7)}.ipfs.dweb.link/`,
      "https://agents.example.com/.well-known/agent-registration.json",
      'data:application/json;base64,eyJ0eXBlIjoiaHR0cHM6Ly9laXBzLmV0aGVyZXVtLm9yZy9FSVBTL2VpcC04MDA0In0=',
      'data:application/json,{"name":"agent","description":"ünïcødé ✓ 🤖"}',
      "https://例え.jp/エージェント.json",
      `ipfs://bafkrei${"é".repeat(26)}`, // 66 bytes, not 66 characters
      `ipfs://bafkrei${"a".repeat(50)}é`, // 66 bytes: a multi-byte char at the end
      `ipfs://bafkrei${"a".repeat(48)}🤖`, // 66 bytes: a 4-byte char at the end
      " ".repeat(66),
      "x",
    ];
    for (const uri of nearMisses) {
      assert.notEqual(uri, SAMPLE_URI);
      await assertRoundTrip(a, uri);
    }
  });

  it("stores a canonical CID in one slot: registering it costs much less than a 66-byte near-miss", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const canonical = cidUri(RAW, sha256("gas"));
    const nearMiss = replaceAt(canonical, 30, canonical[30]!.toUpperCase());
    assert.equal(nearMiss.length, canonical.length);
    const compact = await registerAs(a, canonical);
    const verbatim = await registerAs(a, nearMiss);
    // a 66-byte string takes 4 slots (length slot + 3 data slots), a digest 1: ~3 fresh SSTOREs saved
    assert.ok(
      verbatim.gasUsed - compact.gasUsed > 40_000n,
      `compact ${compact.gasUsed} vs verbatim ${verbatim.gasUsed}`,
    );
    assert.equal(await a.agentRegistry.read.tokenURI([compact.id]), canonical);
    assert.equal(await a.agentRegistry.read.tokenURI([verbatim.id]), nearMiss);
  });

  it("setAgentURI switches between compact and verbatim forms both ways without the old form leaking", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const raw1 = cidUri(RAW, sha256("v1"));
    const { id } = await registerAs(a, raw1);
    const sequence = [
      cidUri(DAG_PB, sha256("v2")), // raw -> dag-pb
      "https://example.com/agent.json", // dag-pb -> verbatim
      cidUri(RAW, sha256("v3")), // verbatim -> raw
      "", // raw -> empty
      cidUri(DAG_PB, sha256("v4")), // empty -> dag-pb
      "", // dag-pb -> empty
      "https://example.com/a/much/longer/path/to/the/registration/file/of/this/agent/v5.json",
      "x", // long verbatim -> short verbatim
      "", // verbatim -> empty
      replaceAt(raw1, 20, raw1[20]!.toUpperCase()), // empty -> 66-byte verbatim
      raw1, // -> raw with a same-length string stored before
      cidUri(RAW, sha256("v6")), // raw -> raw
      cidUri(DAG_PB, sha256("v7")), // raw -> dag-pb
      cidUri(DAG_PB, sha256("v8")), // dag-pb -> dag-pb
      'data:application/json,{"v":9}', // dag-pb -> verbatim
      "",
    ];
    for (const uri of sequence) {
      await a.agentRegistry.write.setAgentURI([id, uri], { account: a.provider.account });
      assert.equal(await a.agentRegistry.read.tokenURI([id]), uri, `after setAgentURI(${JSON.stringify(uri)})`);
    }
  });

  it("keeps agents independent: two agents with the same digest in different codecs", async () => {
    const a = await networkHelpers.loadFixture(deployAgentry);
    const digest = sha256("shared");
    const rawId = await assertRoundTrip(a, cidUri(RAW, digest));
    const dagPbId = await assertRoundTrip(a, cidUri(DAG_PB, digest));
    await a.agentRegistry.write.setAgentURI([rawId, "https://example.com"], { account: a.provider.account });
    assert.equal(await a.agentRegistry.read.tokenURI([dagPbId]), cidUri(DAG_PB, digest));
    assert.equal(await a.agentRegistry.read.tokenURI([rawId]), "https://example.com");
  });
});
