/**
 * The worker's attestation providers. TDX (configfs-tsm) and NITRO (/dev/nsm) cannot run here, so
 * their interfaces are emulated (a configfs-like directory, a helper command) and fed the real
 * evidence in test/fixtures/attestation: the parsing and the binding checks are the real code.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bytesToHex } from "viem";
import { privateKeyToAccount, generatePrivateKey } from "viem/accounts";
import { parseNitroDocument, reportDataForKey, verifyAttestation } from "../../protocol/src/index.ts";
import { assertQuoteBinds, readTsmQuote, tdxReportData } from "../../worker/src/attestation/tdx.ts";
import { assertDocumentBinds, NitroProvider } from "../../worker/src/attestation/nitro.ts";
import { ProviderUnavailableError, selectProvider, type ProviderOptions } from "../../worker/src/attestation/provider.ts";
import { DevProvider } from "../../worker/src/attestation/dev.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/attestation/", import.meta.url));
const key = privateKeyToAccount(generatePrivateKey()).address;

let dir: string;
let tdxQuote: Uint8Array;
let nitroDocument: Uint8Array;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "agentry-providers-"));
  tdxQuote = new Uint8Array(await readFile(path.join(FIXTURES, "dcap/tdx_quote")));
  nitroDocument = new Uint8Array(await readFile(path.join(FIXTURES, "nitro/beta/debug-mode-attestation-doc-bytes")));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A configfs-tsm report entry as the kernel presents it after mkdir, holding a given quote. */
async function emulatedTsmEntry(name: string, provider: string, quote: Uint8Array): Promise<string> {
  const root = path.join(dir, `tsm-${name}`);
  await mkdir(path.join(root, name), { recursive: true });
  await writeFile(path.join(root, name, "provider"), `${provider}\n`);
  await writeFile(path.join(root, name, "generation"), "1\n");
  await writeFile(path.join(root, name, "outblob"), quote);
  return root;
}

describe("TDX provider (configfs-tsm)", () => {
  it("reads REPORTDATA from a real TDX quote exactly as the verifier does", async () => {
    const collateral = JSON.parse(await readFile(path.join(FIXTURES, "dcap/tdx_quote_collateral.json"), "utf8"));
    const verified = await verifyAttestation({ tee: "TDX", quote: tdxQuote, collateral }, { now: new Date("2025-07-01T00:00:00Z") });
    assert.equal(bytesToHex(tdxReportData(tdxQuote)), verified.reportData);
  });

  it("returns the quote when the kernel's quote carries the report data written", async () => {
    const reportData = tdxReportData(tdxQuote);
    const root = await emulatedTsmEntry("ok", "tdx_guest", tdxQuote);
    const quote = await readTsmQuote(root, reportData, "ok");
    assert.deepEqual(quote, tdxQuote);
    assert.deepEqual(new Uint8Array(await readFile(path.join(root, "ok", "inblob"))), reportData, "the report data went to inblob");
  });

  it("refuses a quote over other report data: it would attest a different key", async () => {
    const root = await emulatedTsmEntry("other", "tdx_guest", tdxQuote);
    await assert.rejects(readTsmQuote(root, reportDataForKey(key), "other"), /REPORTDATA .* is not the report data written/);
    assert.throws(() => assertQuoteBinds(tdxQuote, reportDataForKey(key)), /not the report data written/);
  });

  it("refuses a provider other than tdx_guest and bytes that are not a TDX quote", async () => {
    const sev = await emulatedTsmEntry("sev", "sev_guest", tdxQuote);
    await assert.rejects(readTsmQuote(sev, reportDataForKey(key), "sev"), /provider is "sev_guest", expected "tdx_guest"/);
    const sgxQuote = new Uint8Array(await readFile(path.join(FIXTURES, "dcap/sgx_quote")));
    assert.throws(() => tdxReportData(sgxQuote), /not a TDX one/);
    assert.throws(() => tdxReportData(new Uint8Array(100)), /not a DCAP quote/);
  });
});

describe("NITRO provider (/dev/nsm through a helper command)", () => {
  async function helper(name: string, body: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it("accepts a real document whose user_data is the binding asked for, and refuses it for another key", async () => {
    const userData = parseNitroDocument(nitroDocument).document.userData;
    assert.ok(userData, "the fixture document carries user_data");
    assertDocumentBinds(nitroDocument, userData);
    assert.throws(() => assertDocumentBinds(nitroDocument, reportDataForKey(key)), /user_data .* is not the key binding asked for/);
  });

  it("runs the helper with the key binding and refuses a document that does not carry it", async () => {
    const documentFile = path.join(dir, "document.cbor");
    await writeFile(documentFile, nitroDocument);
    const argsFile = path.join(dir, "helper-args");
    const provider = new NitroProvider(await helper("nsm-ok", `echo "$@" > ${argsFile}; cat ${documentFile}`));
    await assert.rejects(provider.collect(key), /is not the key binding asked for/);
    assert.equal((await readFile(argsFile, "utf8")).trim(), `--user-data ${bytesToHex(reportDataForKey(key)).slice(2)}`);
  });

  it("reports a failing helper and garbage output clearly", async () => {
    await assert.rejects(new NitroProvider(await helper("nsm-fail", "echo 'no /dev/nsm' >&2; exit 3")).collect(key), /NSM helper .* failed: .*no \/dev\/nsm.*--nsm-helper/s);
    await assert.rejects(new NitroProvider(await helper("nsm-garbage", "echo hello")).collect(key), /not an attestation document/);
    await assert.rejects(new NitroProvider(path.join(dir, "missing-helper")).collect(key), /NSM helper .* failed/);
  });
});

describe("provider selection", () => {
  const none: ProviderOptions = { tsmReportDir: "/nonexistent/tsm", nsmDevice: "/nonexistent/nsm", nsmHelper: "x", pccsUrl: "https://pccs.invalid" };

  it("auto falls back to DEV where no TEE interface exists; DEV evidence is the key, never attested", async () => {
    const provider = await selectProvider("auto", none);
    assert.ok(provider instanceof DevProvider);
    const verified = await verifyAttestation(await provider.collect(key), { workerKey: key, now: new Date() });
    assert.equal(verified.attested, false);
    assert.equal(verified.boundKey, key);
  });

  it("auto picks TDX where configfs-tsm exists, NITRO where /dev/nsm exists", async () => {
    assert.equal((await selectProvider("auto", { ...none, tsmReportDir: dir })).tee, "TDX");
    assert.equal((await selectProvider("auto", { ...none, nsmDevice: dir })).tee, "NITRO");
  });

  it("an explicit TEE whose interface is missing is an error that says what is missing", async () => {
    await assert.rejects(selectProvider("tdx", none), (e) => e instanceof ProviderUnavailableError && /configfs-tsm .* \/nonexistent\/tsm/.test(e.message));
    await assert.rejects(selectProvider("nitro", none), (e) => e instanceof ProviderUnavailableError && /Nitro Secure Module at \/nonexistent\/nsm/.test(e.message));
  });
});

