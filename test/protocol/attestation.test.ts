/**
 * TEE attestation verifiers on real evidence (test/fixtures/attestation, see its README for origins):
 * Intel SGX / TDX DCAP quotes (Phala-Network/dcap-qvl `sample/`) and AWS Nitro Enclaves documents
 * (evervault/attestation-doc-validation `test-data/`).
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import fc from "fast-check";
import { build } from "esbuild";
import { encode as cborEncode } from "cbor-x";
import { bytesToHex, encodePacked, getAddress, hexToBytes, keccak256, sha256, stringToBytes, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import {
  AWS_NITRO_ROOT_PEM,
  AWS_NITRO_ROOT_SHA256,
  DEV_MEASUREMENT,
  decodeEvidence,
  encodeEvidence,
  isAttestationError,
  keyBinding,
  parseNitroDocument,
  reportDataBindsKey,
  reportDataForKey,
  verifyAttestation,
  verifyNitroDocument,
  type AttestationErrorCode,
  type DcapCollateral,
  type Evidence,
} from "../../protocol/src/index.ts";
import { checkDcapCertificateValidity } from "../../protocol/src/attestation/dcap.ts";
import { sigStructure1 } from "../../protocol/src/attestation/cose.ts";
import { fromBase64, pemToDerList, toBase64 } from "../../protocol/src/attestation/bytes.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/attestation/", import.meta.url));
const SRC = fileURLToPath(new URL("../../protocol/src/attestation/", import.meta.url));
const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, path)));
const collateralOf = (name: string): DcapCollateral => JSON.parse(readFileSync(join(FIXTURES, "dcap", `${name}_collateral.json`), "utf8")) as DcapCollateral;

const IN_WINDOW = new Date("2025-07-01T00:00:00Z"); // inside the sgx/tdx collateral window
const OUTDATED_WINDOW = new Date("2026-03-01T00:00:00Z"); // inside tdx_quote_outdated's collateral window
const TODAY = new Date(); // the real clock

const sgx = (quote = fixture("dcap/sgx_quote"), collateral = collateralOf("sgx_quote")): Evidence => ({ tee: "SGX", quote, collateral });
const tdx = (quote = fixture("dcap/tdx_quote"), collateral = collateralOf("tdx_quote")): Evidence => ({ tee: "TDX", quote, collateral });
const tdxOutdated = (): Evidence => ({ tee: "TDX", quote: fixture("dcap/tdx_quote_outdated"), collateral: collateralOf("tdx_quote_outdated") });

const NITRO_DOCS = {
  valid: fromBase64(readFileSync(join(FIXTURES, "nitro/valid-attestation-doc-base64"), "utf8").trim()),
  betaValid: fixture("nitro/beta/valid-attestation-doc-bytes"),
  betaDebug: fixture("nitro/beta/debug-mode-attestation-doc-bytes"),
};
const nitro = (document: Uint8Array): Evidence => ({ tee: "NITRO", document });
const docTime = (document: Uint8Array): Date => parseNitroDocument(document).document.timestamp;

const randomKey = (): Address => privateKeyToAddress(generatePrivateKey());

/** Runs `f` and asserts it throws an AttestationError with `code` (and, if given, a message matching `message`). */
async function rejects(f: () => Promise<unknown> | unknown, code: AttestationErrorCode, message?: RegExp | string): Promise<Error> {
  let thrown: unknown;
  try {
    await f();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown !== undefined, `expected ${code}, but it did not throw`);
  assert.ok(isAttestationError(thrown), `expected an AttestationError ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `expected ${code}, got ${thrown.code}: ${thrown.message}`);
  if (typeof message === "string") assert.equal(thrown.message, message);
  else if (message) assert.match(thrown.message, message);
  return thrown;
}

function flip(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[offset]! ^= mask;
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

// DCAP quote layout: 48-byte header, then the report body.
// SGX enclave report: MRENCLAVE at +64 (32 B), REPORTDATA at +320 (64 B).
// TDX TD report 1.0: MRTD at +136 (48 B), REPORTDATA at +520 (64 B).
const HEADER = 48;

describe("attestation: Intel SGX / TDX (DCAP via @phala/dcap-qvl)", () => {
  it("SGX sample verifies at 2025-07-01: ConfigurationAndSWHardeningNeeded with INTEL-SA-00289, INTEL-SA-00615; measurement = MRENCLAVE", async () => {
    const quote = fixture("dcap/sgx_quote");
    const r = await verifyAttestation(sgx(quote), { now: IN_WINDOW });
    assert.equal(r.tee, "SGX");
    assert.equal(r.status, "ConfigurationAndSWHardeningNeeded");
    assert.deepEqual(r.advisories, ["INTEL-SA-00289", "INTEL-SA-00615"]);
    assert.equal(r.attested, true);
    assert.equal(r.debug, false);
    assert.equal(r.boundKey, null);
    // measurement and report data read straight from the quote bytes agree with the verifier's parse
    assert.equal(r.measurement, bytesToHex(quote.subarray(HEADER + 64, HEADER + 96)));
    assert.equal(r.rawMeasurement, r.measurement);
    assert.equal(r.reportData, bytesToHex(quote.subarray(HEADER + 320, HEADER + 384)));
    assert.ok(r.reportData.startsWith(bytesToHex(stringToBytes("Hello, world!"))));
  });

  it("TDX sample verifies at 2025-07-01: UpToDate; measurement = sha256(MRTD)", async () => {
    const quote = fixture("dcap/tdx_quote");
    const r = await verifyAttestation(tdx(quote), { now: IN_WINDOW });
    assert.equal(r.tee, "TDX");
    assert.equal(r.status, "UpToDate");
    assert.deepEqual(r.advisories, []);
    assert.equal(r.attested, true);
    const mrtd = quote.subarray(HEADER + 136, HEADER + 184);
    assert.equal(r.rawMeasurement, bytesToHex(mrtd));
    assert.equal(r.measurement, sha256(mrtd));
    assert.equal(hexToBytes(r.measurement).length, 32);
    assert.equal(r.reportData, bytesToHex(quote.subarray(HEADER + 520, HEADER + 584)));
  });

  it("tdx_quote_outdated: 'No matching TCB level found' inside its collateral window (TCB_REJECTED)", async () => {
    await rejects(() => verifyAttestation(tdxOutdated(), { now: OUTDATED_WINDOW }), "TCB_REJECTED", "No matching TCB level found");
  });

  it("tdx_quote_outdated at 2025-07-01 fails too: its collateral is issued 2026-02-18 (EXPIRED, not yet valid)", async () => {
    await rejects(() => verifyAttestation(tdxOutdated(), { now: IN_WINDOW }), "EXPIRED", "TCBInfo issue date is in the future");
  });

  it("at today's clock every sample fails with 'TCBInfo expired' (EXPIRED)", async () => {
    for (const evidence of [sgx(), tdx(), tdxOutdated()]) {
      await rejects(() => verifyAttestation(evidence, { now: TODAY }), "EXPIRED", "TCBInfo expired");
    }
  });

  it("a flipped byte in the report body (measurement or report data) gives 'ISV enclave report signature is invalid'", async () => {
    const sgxQuote = fixture("dcap/sgx_quote");
    const tdxQuote = fixture("dcap/tdx_quote");
    for (const [make, quote, offset] of [
      [sgx, sgxQuote, HEADER + 64], // MRENCLAVE
      [sgx, sgxQuote, HEADER + 330], // REPORTDATA
      [tdx, tdxQuote, HEADER + 140], // MRTD
      [tdx, tdxQuote, HEADER + 530], // REPORTDATA
    ] as const) {
      const error = await rejects(() => verifyAttestation(make(flip(quote, offset)), { now: IN_WINDOW }), "INVALID_SIGNATURE", "ISV enclave report signature is invalid");
      assert.ok(error.cause instanceof Error, "the original dcap-qvl error is kept as the cause");
    }
  });

  it("edited tcb_info or qe_identity in the collateral: 'Signature is invalid for tcb_info / qe_identity'", async () => {
    const edited = collateralOf("sgx_quote");
    assert.ok(edited.tcb_info.includes('"tcbEvaluationDataNumber":17'));
    edited.tcb_info = edited.tcb_info.replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18');
    await rejects(() => verifyAttestation(sgx(undefined, edited), { now: IN_WINDOW }), "INVALID_SIGNATURE", "Signature is invalid for tcb_info");

    const qe = collateralOf("tdx_quote");
    const before = qe.qe_identity;
    qe.qe_identity = qe.qe_identity.replace('"isvprodid":2', '"isvprodid":3');
    assert.notEqual(qe.qe_identity, before);
    await rejects(() => verifyAttestation(tdx(undefined, qe), { now: IN_WINDOW }), "INVALID_SIGNATURE", "Signature is invalid for qe_identity");
  });

  it("collateral of the other platform is rejected (SGX quote with TDX collateral)", async () => {
    const error = await rejects(() => verifyAttestation(sgx(undefined, collateralOf("tdx_quote")), { now: IN_WINDOW }), "TCB_REJECTED");
    assert.ok(error.message.length > 0);
  });

  it("the declared TEE type must match the quote header", async () => {
    await rejects(() => verifyAttestation({ tee: "SGX", quote: fixture("dcap/tdx_quote"), collateral: collateralOf("tdx_quote") }, { now: IN_WINDOW }), "MALFORMED_EVIDENCE", /says SGX but the quote is a TDX quote/);
    await rejects(() => verifyAttestation({ tee: "TDX", quote: fixture("dcap/sgx_quote"), collateral: collateralOf("sgx_quote") }, { now: IN_WINDOW }), "MALFORMED_EVIDENCE", /says TDX but the quote is a SGX quote/);
  });

  it("expectedMeasurement: equal passes (case-insensitive), different gives MEASUREMENT_MISMATCH", async () => {
    const quote = fixture("dcap/sgx_quote");
    const mrenclave = bytesToHex(quote.subarray(HEADER + 64, HEADER + 96));
    const ok = await verifyAttestation(sgx(quote), { now: IN_WINDOW, expectedMeasurement: mrenclave.toUpperCase().replace("0X", "0x") as Hex });
    assert.equal(ok.measurement, mrenclave);
    const wrong = bytesToHex(flip(hexToBytes(mrenclave), 31));
    await rejects(() => verifyAttestation(sgx(quote), { now: IN_WINDOW, expectedMeasurement: wrong }), "MEASUREMENT_MISMATCH", new RegExp(`expected ${wrong}`));
    // TDX: the raw 48-byte MRTD is not a valid expectation; only its sha256 is
    const t = await verifyAttestation(tdx(), { now: IN_WINDOW });
    await verifyAttestation(tdx(), { now: IN_WINDOW, expectedMeasurement: t.measurement });
    await rejects(() => verifyAttestation(tdx(), { now: IN_WINDOW, expectedMeasurement: keccak256(t.rawMeasurement) }), "MEASUREMENT_MISMATCH");
  });

  it("workerKey not bound by the quote's report data gives KEY_NOT_BOUND", async () => {
    const key = randomKey();
    await rejects(() => verifyAttestation(sgx(), { now: IN_WINDOW, workerKey: key }), "KEY_NOT_BOUND", new RegExp(key));
    await rejects(() => verifyAttestation(tdx(), { now: IN_WINDOW, workerKey: key }), "KEY_NOT_BOUND");
  });

  it("malformed quotes and collateral give MALFORMED_EVIDENCE, not a crash", async () => {
    const quote = fixture("dcap/sgx_quote");
    await rejects(() => verifyAttestation(sgx(new Uint8Array(0)), { now: IN_WINDOW }), "MALFORMED_EVIDENCE", /shorter than its 48-byte header/);
    for (const length of [47, 48, 100, HEADER + 384, 1000, quote.length - 1]) {
      await rejects(() => verifyAttestation(sgx(quote.slice(0, length)), { now: IN_WINDOW }), "MALFORMED_EVIDENCE");
    }
    const { tcb_info: _dropped, ...missing } = collateralOf("sgx_quote");
    await rejects(() => verifyAttestation(sgx(quote, missing as DcapCollateral), { now: IN_WINDOW }), "MALFORMED_EVIDENCE", /tcb_info/);
    await rejects(() => verifyAttestation(sgx(quote, { ...collateralOf("sgx_quote"), pck_crl: "zz" }), { now: IN_WINDOW }), "MALFORMED_EVIDENCE", /pck_crl/);
    await rejects(() => verifyAttestation(sgx(quote, { ...collateralOf("sgx_quote"), tcb_info: "not json" }), { now: IN_WINDOW }), "MALFORMED_EVIDENCE", /Failed to decode TcbInfo/);
  });

  it("random bytes with a valid-looking SGX or TDX header never verify and always give MALFORMED_EVIDENCE (property)", async () => {
    const collateral = collateralOf("sgx_quote");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 48, maxLength: 1200 }), fc.constantFrom(0x00, 0x81), fc.constantFrom(3, 4, 5), async (bytes, teeType, version) => {
        const quote = bytes.slice();
        const view = new DataView(quote.buffer);
        view.setUint16(0, version, true);
        view.setUint16(2, 2, true); // ECDSA-256 attestation key
        view.setUint32(4, teeType, true);
        await rejects(() => verifyAttestation({ tee: teeType === 0 ? "SGX" : "TDX", quote, collateral }, { now: IN_WINDOW }), "MALFORMED_EVIDENCE");
      }),
      { numRuns: 150 },
    );
  });

  it("every certificate of the collateral and PCK chains must be valid at `now` (our check, also enforced in browsers)", () => {
    const quote = fixture("dcap/sgx_quote");
    checkDcapCertificateValidity(quote, collateralOf("sgx_quote"), IN_WINDOW);
    assert.throws(() => checkDcapCertificateValidity(quote, collateralOf("sgx_quote"), new Date("2055-01-01T00:00:00Z")), (e: unknown) => isAttestationError(e, "EXPIRED") && /is not valid at 2055/.test(e.message));
    assert.throws(() => checkDcapCertificateValidity(quote, collateralOf("sgx_quote"), new Date("2010-01-01T00:00:00Z")), (e: unknown) => isAttestationError(e, "EXPIRED"));
  });
});

describe("attestation: AWS Nitro Enclaves", () => {
  it("the pinned root is the fixture's aws-nitro-root.pem, fingerprint 641a0321…bb5b", () => {
    const fixtureDer = pemToDerList(readFileSync(join(FIXTURES, "nitro/aws-nitro-root.pem"), "utf8"));
    const pinnedDer = pemToDerList(AWS_NITRO_ROOT_PEM);
    assert.equal(pinnedDer.length, 1);
    assert.deepEqual(pinnedDer, fixtureDer);
    assert.equal(sha256(pinnedDer[0]!), AWS_NITRO_ROOT_SHA256);
    assert.ok(AWS_NITRO_ROOT_SHA256.startsWith("0x641a0321") && AWS_NITRO_ROOT_SHA256.endsWith("bb5b"));
  });

  it("all three documents verify at their own timestamps, with the right PCR0, debug flag and user_data", async () => {
    const expected = {
      valid: { time: "2023-09-18T15:03:30.860Z", pcr0: "0x" + "00".repeat(48), debug: true, userData: "0x3059301306072a8648ce3d0201" },
      betaValid: { time: "2022-10-13T08:58:02.136Z", pcr0: "0xf4d48b81a460c991", debug: false, userData: "0x" },
      betaDebug: { time: "2022-10-12T13:50:06.081Z", pcr0: "0x" + "00".repeat(48), debug: true, userData: bytesToHex(stringToBytes("hello, world!")) },
    } as const;
    for (const [name, document] of Object.entries(NITRO_DOCS) as [keyof typeof NITRO_DOCS, Uint8Array][]) {
      const want = expected[name];
      assert.equal(docTime(document).toISOString(), want.time, name);
      const r = await verifyAttestation(nitro(document), { now: docTime(document) });
      assert.equal(r.tee, "NITRO");
      assert.equal(r.status, "Nitro");
      assert.equal(r.attested, true);
      assert.equal(r.debug, want.debug, name);
      assert.ok(r.rawMeasurement.startsWith(want.pcr0), `${name} PCR0 ${r.rawMeasurement}`);
      assert.equal(hexToBytes(r.rawMeasurement).length, 48);
      assert.equal(r.measurement, sha256(hexToBytes(r.rawMeasurement)));
      assert.ok(r.reportData.startsWith(want.userData), `${name} user_data ${r.reportData}`);
      if (name === "betaDebug") assert.equal(r.reportData, want.userData);
      assert.deepEqual(r.advisories, []);
      // the caller's bytes are left alone (cbor-x would otherwise attach a `dataView` property to them)
      assert.deepEqual(Object.keys(document).filter((k) => !/^\d+$/.test(k)), []);
    }
  });

  it("a COSE_Sign1 wrapped in CBOR tag 18 verifies the same", async () => {
    const tagged = new Uint8Array([0xd2, ...NITRO_DOCS.betaValid]);
    const r = await verifyAttestation(nitro(tagged), { now: docTime(NITRO_DOCS.betaValid) });
    assert.ok(r.rawMeasurement.startsWith("0xf4d48b81a460c991"));
    await rejects(() => verifyAttestation(nitro(new Uint8Array([0xd3, ...NITRO_DOCS.betaValid])), { now: docTime(NITRO_DOCS.betaValid) }), "MALFORMED_EVIDENCE", /tag 19/);
  });

  it("at today's clock every document fails with EXPIRED", async () => {
    for (const document of Object.values(NITRO_DOCS)) {
      await rejects(() => verifyAttestation(nitro(document), { now: TODAY }), "EXPIRED", /is not valid at .*the document's own time is/);
    }
  });

  it("a tampered payload byte fails the COSE signature (INVALID_SIGNATURE)", async () => {
    for (const document of Object.values(NITRO_DOCS)) {
      const { document: parsed } = parseNitroDocument(document);
      const at = indexOf(document, stringToBytes(parsed.moduleId));
      assert.ok(at > 0);
      const tampered = flip(document, at + 3, 0x02); // one character of module_id: still valid CBOR
      assert.notEqual(parseNitroDocument(tampered).document.moduleId, parsed.moduleId);
      await rejects(() => verifyAttestation(nitro(tampered), { now: docTime(document) }), "INVALID_SIGNATURE", /COSE_Sign1 signature does not verify/);
    }
    // a PCR0 byte: what the measurement is computed from
    const doc = NITRO_DOCS.betaValid;
    const pcr0 = parseNitroDocument(doc).document.pcrs.get(0)!;
    await rejects(() => verifyAttestation(nitro(flip(doc, indexOf(doc, pcr0) + 5)), { now: docTime(doc) }), "INVALID_SIGNATURE");
  });

  it("a tampered signature byte fails (INVALID_SIGNATURE)", async () => {
    const doc = NITRO_DOCS.valid;
    await rejects(() => verifyAttestation(nitro(flip(doc, doc.length - 10)), { now: docTime(doc) }), "INVALID_SIGNATURE", /COSE_Sign1/);
  });

  it("a tampered certificate (leaf or intermediate) fails the chain check", async () => {
    const doc = NITRO_DOCS.betaValid;
    const { document: parsed } = parseNitroDocument(doc);
    for (const cert of [parsed.certificate, parsed.cabundle[2]!]) {
      const certAt = indexOf(doc, cert);
      assert.ok(certAt > 0);
      // DER: 30 82 LL LL | 30 82 LL LL | a0 03 02 01 02 | 02 len serial...: flip a serial number byte (still valid DER)
      assert.deepEqual([...cert.subarray(8, 14)], [0xa0, 0x03, 0x02, 0x01, 0x02, 0x02]);
      const tampered = flip(doc, certAt + 15 + 3);
      await rejects(() => verifyAttestation(nitro(tampered), { now: docTime(doc) }), "INVALID_SIGNATURE", /certificate chain: the signature of .* does not verify/);
      // "nitro" -> "Nitro" in the issuer name: the chain no longer links up
      const nameAt = indexOf(cert, stringToBytes("nitro-enclaves"));
      assert.ok(nameAt > 0);
      await rejects(() => verifyAttestation(nitro(flip(doc, certAt + nameAt, 0x20)), { now: docTime(doc) }), "UNTRUSTED_ROOT", /chain is broken/);
    }
  });

  it("a wrong root fails (UNTRUSTED_ROOT): a verifier pinned to another root, and a document whose cabundle[0] is not the AWS root", async () => {
    const doc = NITRO_DOCS.valid;
    const intelChain = pemToDerList(collateralOf("sgx_quote").tcb_info_issuer_chain);
    const intelRoot = intelChain[intelChain.length - 1]!;
    await rejects(() => verifyNitroDocument(doc, { now: docTime(doc), trustedRoot: intelRoot }), "UNTRUSTED_ROOT", /cabundle\[0\] is not the pinned/);
    // sanity: the same call with the default (AWS) root passes
    const parsed = await verifyNitroDocument(doc, { now: docTime(doc) });
    assert.equal(parsed.cabundle.length, 4);
    // a root byte changed inside the document
    const rootAt = indexOf(doc, parsed.cabundle[0]!);
    await rejects(() => verifyAttestation(nitro(flip(doc, rootAt + 60)), { now: docTime(doc) }), "UNTRUSTED_ROOT");
  });

  it("expectedMeasurement: sha256(PCR0) passes, anything else gives MEASUREMENT_MISMATCH", async () => {
    const doc = NITRO_DOCS.betaValid;
    const pcr0 = parseNitroDocument(doc).document.pcrs.get(0)!;
    const ok = await verifyAttestation(nitro(doc), { now: docTime(doc), expectedMeasurement: sha256(pcr0) });
    assert.equal(ok.measurement, sha256(pcr0));
    await rejects(() => verifyAttestation(nitro(doc), { now: docTime(doc), expectedMeasurement: keccak256(pcr0) }), "MEASUREMENT_MISMATCH");
    // a debug document cannot pass for the real image
    const debugDoc = NITRO_DOCS.betaDebug;
    await rejects(() => verifyAttestation(nitro(debugDoc), { now: docTime(debugDoc), expectedMeasurement: sha256(pcr0) }), "MEASUREMENT_MISMATCH", /0x0{96}/);
  });

  it("workerKey not bound by user_data gives KEY_NOT_BOUND", async () => {
    for (const document of Object.values(NITRO_DOCS)) {
      await rejects(() => verifyAttestation(nitro(document), { now: docTime(document), workerKey: randomKey() }), "KEY_NOT_BOUND");
    }
  });

  it("the Sig_structure is encoded by hand exactly as cbor-x encodes it from Buffers (and a plain-Uint8Array cbor-x encoding differs)", () => {
    const { cose } = parseNitroDocument(NITRO_DOCS.valid);
    const ours = sigStructure1(cose.protectedHeader, cose.payload);
    const viaBuffers = cborEncode(["Signature1", Buffer.from(cose.protectedHeader), Buffer.alloc(0), Buffer.from(cose.payload)]);
    assert.deepEqual(ours, new Uint8Array(viaBuffers));
    const viaUint8Arrays = cborEncode(["Signature1", new Uint8Array(cose.protectedHeader), new Uint8Array(0), new Uint8Array(cose.payload)]);
    assert.notDeepEqual(new Uint8Array(viaUint8Arrays), ours, "cbor-x tags plain Uint8Arrays (tag 64): the README pitfall");
  });

  it("empty, truncated and garbage CBOR give MALFORMED_EVIDENCE", async () => {
    const doc = NITRO_DOCS.betaDebug;
    const now = docTime(doc);
    await rejects(() => verifyAttestation(nitro(new Uint8Array(0)), { now }), "MALFORMED_EVIDENCE", /empty/);
    for (const length of [1, 10, 100, doc.length / 2, doc.length - 1]) {
      await rejects(() => verifyAttestation(nitro(doc.slice(0, length)), { now }), "MALFORMED_EVIDENCE");
    }
    for (const garbage of [[0xff], [0x1c], [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x84, 0x40, 0xa0, 0x40], [0x84, 0x40, 0xa0, 0x41, 0x00, 0x40], [0xa1, 0x01, 0x02], [0x63, 0x61, 0x62, 0x63]]) {
      await rejects(() => verifyAttestation(nitro(new Uint8Array(garbage)), { now }), "MALFORMED_EVIDENCE");
    }
    // a well-formed COSE_Sign1 whose payload lacks fields
    const { cose } = parseNitroDocument(doc);
    const noPayload = new Uint8Array(cborEncode([Buffer.from(cose.protectedHeader), new Map(), Buffer.from(cborEncode(new Map([["module_id", "x"]]))), Buffer.from(cose.signature)]));
    await rejects(() => verifyAttestation(nitro(noPayload), { now }), "MALFORMED_EVIDENCE", /digest/);
  });

  it("random bytes never verify and always give MALFORMED_EVIDENCE (property)", async () => {
    const now = docTime(NITRO_DOCS.valid);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.boolean(), async (bytes, asCoseArray) => {
        // half the runs look like a COSE_Sign1 head so decoding gets further
        const document = asCoseArray ? new Uint8Array([0x84, ...bytes]) : bytes;
        await rejects(() => verifyAttestation(nitro(document), { now }), "MALFORMED_EVIDENCE");
      }),
      { numRuns: 300 },
    );
  });
});

describe("attestation: DEV evidence and the key binding", () => {
  it("DEV evidence is never attested; measurement = keccak256('agentry-dev'); boundKey = the key", async () => {
    const key = randomKey();
    const r = await verifyAttestation({ tee: "DEV", key: key.toLowerCase() as Address }, { now: TODAY });
    assert.equal(r.tee, "DEV");
    assert.equal(r.attested, false);
    assert.equal(r.debug, true);
    assert.equal(r.status, "Dev");
    assert.equal(r.measurement, keccak256(stringToBytes("agentry-dev")));
    assert.equal(r.measurement, DEV_MEASUREMENT);
    assert.equal(r.boundKey, key); // checksummed
    assert.equal(r.reportData, keyBinding(key));
  });

  it("DEV evidence binds exactly its key: the same workerKey passes, another gives KEY_NOT_BOUND", async () => {
    const key = randomKey();
    const r = await verifyAttestation({ tee: "DEV", key }, { now: TODAY, workerKey: key.toLowerCase() as Address });
    assert.equal(r.boundKey, key);
    assert.equal(r.attested, false);
    await rejects(() => verifyAttestation({ tee: "DEV", key }, { now: TODAY, workerKey: randomKey() }), "KEY_NOT_BOUND");
    await rejects(() => verifyAttestation({ tee: "DEV", key }, { now: TODAY, expectedMeasurement: keccak256("0x01") }), "MEASUREMENT_MISMATCH");
  });

  it("requireAttested rejects DEV evidence with NOT_ATTESTED (and still accepts real evidence)", async () => {
    await rejects(() => verifyAttestation({ tee: "DEV", key: randomKey() }, { now: TODAY, requireAttested: true }), "NOT_ATTESTED");
    const r = await verifyAttestation(sgx(), { now: IN_WINDOW, requireAttested: true });
    assert.equal(r.attested, true);
  });

  it("keyBinding(K) = keccak256(abi.encodePacked(address K)); reportDataForKey binds K and only K (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ maxLength: 32 }), (a, b, extra) => {
        const keyA = getAddress(bytesToHex(a));
        const keyB = getAddress(bytesToHex(b));
        assert.equal(keyBinding(keyA), keccak256(encodePacked(["address"], [keyA])));
        const data = reportDataForKey(keyA, extra);
        assert.equal(data.length, 64);
        assert.deepEqual(data.subarray(32, 32 + extra.length), extra);
        assert.equal(reportDataBindsKey(data, keyA), true);
        assert.equal(reportDataBindsKey(data, keyB), bytesToHex(a) === bytesToHex(b));
        assert.equal(reportDataBindsKey(data.subarray(0, 31), keyA), false);
      }),
      { numRuns: 200 },
    );
  });

  it("invalid evidence shapes and options are rejected with typed errors", async () => {
    await rejects(() => verifyAttestation({ tee: "DEV", key: "0x1234" as Address }, { now: TODAY }), "MALFORMED_EVIDENCE", /key/);
    await rejects(() => verifyAttestation({ tee: "SEV" } as unknown as Evidence, { now: TODAY }), "MALFORMED_EVIDENCE");
    await rejects(() => verifyAttestation({ tee: "NITRO", document: "abc" } as unknown as Evidence, { now: TODAY }), "MALFORMED_EVIDENCE", /document/);
    await rejects(() => verifyAttestation({ tee: "DEV", key: randomKey() }, { now: new Date(Number.NaN) }), "INVALID_OPTIONS", /now/);
    await rejects(() => verifyAttestation({ tee: "DEV", key: randomKey() }, { now: TODAY, expectedMeasurement: "0x1234" }), "INVALID_OPTIONS", /expectedMeasurement/);
    await rejects(() => verifyAttestation({ tee: "DEV", key: randomKey() }, { now: TODAY, workerKey: "0xnope" as Address }), "INVALID_OPTIONS", /workerKey/);
  });
});

describe("attestation: evidence envelope for the content store", () => {
  it("encode/decode round-trips SGX, TDX, NITRO and DEV evidence, and decoded evidence still verifies", async () => {
    const key = randomKey();
    for (const evidence of [sgx(), tdx(), nitro(NITRO_DOCS.betaValid), { tee: "DEV", key } satisfies Evidence] as Evidence[]) {
      const bytes = encodeEvidence(evidence);
      const decoded = decodeEvidence(bytes);
      assert.deepEqual(decoded, evidence);
      assert.deepEqual(encodeEvidence(decoded), bytes, "encoding is deterministic");
    }
    const r = await verifyAttestation(decodeEvidence(encodeEvidence(sgx())), { now: IN_WINDOW });
    assert.equal(r.status, "ConfigurationAndSWHardeningNeeded");
  });

  it("the envelope is canonical JSON { version: 1, tee, base64 fields, collateral }", () => {
    const text = new TextDecoder().decode(encodeEvidence(nitro(NITRO_DOCS.betaDebug)));
    assert.equal(text, `{"document":"${Buffer.from(NITRO_DOCS.betaDebug).toString("base64")}","tee":"NITRO","version":1}`);
    const dcap = JSON.parse(new TextDecoder().decode(encodeEvidence(sgx()))) as Record<string, unknown>;
    assert.deepEqual(Object.keys(dcap), ["collateral", "quote", "tee", "version"]);
    assert.equal(dcap.quote, Buffer.from(fixture("dcap/sgx_quote")).toString("base64"));
    assert.deepEqual(dcap.collateral, collateralOf("sgx_quote"));
  });

  it("decodeEvidence rejects bad envelopes with MALFORMED_EVIDENCE", () => {
    const enc = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const good = { version: 1, tee: "NITRO", document: "AAEC" };
    assert.deepEqual(decodeEvidence(enc(good)), { tee: "NITRO", document: new Uint8Array([0, 1, 2]) });
    for (const bad of [
      new Uint8Array([0xff, 0xfe]),
      new TextEncoder().encode("{not json"),
      enc({ ...good, version: 2 }),
      enc({ ...good, tee: "SEV" }),
      enc({ ...good, document: "AAE" }), // bad length
      enc({ ...good, document: "AAF=" }), // non-canonical padding bits
      enc({ ...good, document: "AA C" }),
      enc({ ...good, extra: true }),
      enc({ version: 1, tee: "DEV", key: "0x12" }),
      enc({ version: 1, tee: "SGX", quote: "AAEC", collateral: {} }),
    ]) {
      assert.throws(() => decodeEvidence(bad), (e: unknown) => isAttestationError(e, "MALFORMED_EVIDENCE"), new TextDecoder().decode(bad));
    }
  });

  it("random bytes given to decodeEvidence give MALFORMED_EVIDENCE (property); base64 matches Node's (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.throws(() => decodeEvidence(bytes), (e: unknown) => isAttestationError(e, "MALFORMED_EVIDENCE"));
        const b64 = toBase64(bytes);
        assert.equal(b64, Buffer.from(bytes).toString("base64"));
        assert.deepEqual(fromBase64(b64), bytes);
      }),
      { numRuns: 300 },
    );
  });
});

describe("attestation: browser compatibility", () => {
  const tempDirs: string[] = [];
  after(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("our sources use no Node-only API (no node: imports, Buffer, process, fs)", () => {
    const files = readdirSync(SRC).filter((f) => f.endsWith(".ts"));
    assert.ok(files.length >= 8 && files.includes("nitro.ts") && files.includes("dcap.ts"));
    for (const file of files) {
      const code = readFileSync(join(SRC, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      assert.doesNotMatch(code, /from\s+["']node:|require\(|\bBuffer\b|\bprocess\.|from\s+["'](fs|crypto|path|os|buffer)["']/, file);
    }
  });

  it("esbuild bundles our code for the browser with every package external: no Node built-in is imported", async () => {
    const result = await build({ entryPoints: [join(SRC, "index.ts")], bundle: true, platform: "browser", format: "esm", write: false, packages: "external", metafile: true, logLevel: "silent" });
    assert.deepEqual(result.errors, []);
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    const external = [...new Set(imports)].sort();
    assert.deepEqual(external, ["@peculiar/x509", "@phala/dcap-qvl", "canonicalize", "cbor-x", "reflect-metadata", "viem", "zod"]);
  });

  it("the full browser bundle has no node: imports and, run as a module, verifies Nitro and DCAP evidence like Node does", async () => {
    const result = await build({ entryPoints: [join(SRC, "index.ts")], bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent" });
    assert.deepEqual(result.errors, []);
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(!inputs.some((p) => p.startsWith("node:")), "no node: inputs");
    // dcap-qvl's require("crypto") is mapped away by its package.json "browser" field
    assert.ok(inputs.some((p) => p.includes("(disabled)") && p.includes("crypto")), "dcap-qvl's crypto import is disabled in the browser build");
    const code = result.outputFiles[0]!.text;
    assert.doesNotMatch(code, /from\s*["']node:|require\(["']node:|import\(["']node:/);

    const dir = mkdtempSync(join(tmpdir(), "agentry-attestation-"));
    tempDirs.push(dir);
    const file = join(dir, "attestation.browser.mjs");
    writeFileSync(file, code);
    const bundled = (await import(pathToFileURL(file).href)) as typeof import("../../protocol/src/attestation/index.ts");
    assert.notEqual(bundled.verifyAttestation, verifyAttestation, "the bundled copy is a different module");

    const doc = NITRO_DOCS.betaValid;
    const r = await bundled.verifyAttestation({ tee: "NITRO", document: doc }, { now: docTime(doc) });
    assert.ok(r.rawMeasurement.startsWith("0xf4d48b81a460c991"));
    await assert.rejects(bundled.verifyAttestation({ tee: "NITRO", document: flip(doc, doc.length - 10) }, { now: docTime(doc) }), (e: unknown) => (e as { code?: string }).code === "INVALID_SIGNATURE");

    // dcap-qvl in its browser mode (elliptic + hash.js instead of node:crypto)
    const s = await bundled.verifyAttestation(sgx(), { now: IN_WINDOW });
    assert.equal(s.status, "ConfigurationAndSWHardeningNeeded");
    assert.deepEqual(s.advisories, ["INTEL-SA-00289", "INTEL-SA-00615"]);
    await assert.rejects(bundled.verifyAttestation(sgx(flip(fixture("dcap/sgx_quote"), HEADER + 330)), { now: IN_WINDOW }), (e: unknown) => (e as { message?: string }).message === "ISV enclave report signature is invalid");
  });
});
