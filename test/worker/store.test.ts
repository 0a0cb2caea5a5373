/**
 * The worker's durable call store (worker/src/store.ts and its database thread): group commit,
 * a duplicate failing only its own call, what survives a reopen, and the upgrade of a database
 * written by the first schema version.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { CallStore, type CallRecord } from "../../worker/src/store.ts";

const record = (agreementId: bigint, calls: number): CallRecord => ({
  agreementId,
  calls: BigInt(calls),
  voucher: { agreementId: agreementId.toString(), calls: String(calls), amount: String(calls * 10) },
  receipt: { agreementId: agreementId.toString(), calls: String(calls), signature: `0x${"ab".repeat(65)}` },
  receiptDigest: `0x${calls.toString(16).padStart(64, "0")}`,
});

test("concurrent calls commit together; a duplicate fails alone; everything is there after a reopen", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "agentry-store-"));
  const store = new CallStore(dir);
  const writes = [];
  for (let calls = 1; calls <= 200; calls++) for (const agreement of [1n, 2n, 3n]) writes.push(store.persistCall(record(agreement, calls)));
  await Promise.all(writes);
  const outcomes = await Promise.allSettled([store.persistCall(record(2n, 201)), store.persistCall(record(2n, 150)), store.persistCall(record(3n, 201))]);
  assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /UNIQUE/);
  // The first call of each burst commits alone, the calls queued meanwhile share the next commit,
  // and the duplicate's neighbour is retried alone: 602 rows in 4 commits.
  assert.deepEqual(store.stats(), { commits: 4, rows: 602 });
  await store.close();

  const reopened = new CallStore(dir);
  assert.deepEqual([...(await reopened.lastCalls())].sort(), [["1", 200], ["2", 201], ["3", 201]]);
  const digests = await reopened.receiptDigests(2n, 0, 5);
  assert.deepEqual(digests, [1, 2, 3, 4, 5].map((c) => [c, record(2n, c).receiptDigest]));
  assert.deepEqual((await reopened.receiptDigests(2n, 198, 1000)).map(([c]) => c), [199, 200, 201], "the calls after the last redemption only");
  assert.deepEqual(await reopened.call(3n, 201), { voucher: record(3n, 201).voucher, receipt: record(3n, 201).receipt });
  assert.equal(await reopened.call(3n, 202), null);
  await reopened.close();
});

test("a database of schema version 1 (calls WITHOUT ROWID) is upgraded in place, keeping every row", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "agentry-store-v1-"));
  const v1 = new DatabaseSync(path.join(dir, "worker.db"));
  v1.exec(`
    PRAGMA journal_mode = WAL;
    CREATE TABLE calls (agreement_id TEXT NOT NULL, calls INTEGER NOT NULL, voucher TEXT NOT NULL, receipt TEXT NOT NULL,
      receipt_digest TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (agreement_id, calls)) WITHOUT ROWID;
    CREATE TABLE redemptions (agreement_id TEXT PRIMARY KEY, redeemed_calls INTEGER NOT NULL DEFAULT 0, pending_calls INTEGER,
      pending_tx TEXT, updated_at INTEGER NOT NULL);
    INSERT INTO redemptions VALUES ('9', 2, 3, '0xabc', 1);`);
  const insert = v1.prepare("INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?)");
  for (let calls = 1; calls <= 3; calls++) {
    const r = record(9n, calls);
    insert.run("9", calls, JSON.stringify(r.voucher), JSON.stringify(r.receipt), r.receiptDigest, calls);
  }
  v1.close();

  const store = new CallStore(dir);
  assert.deepEqual([...(await store.lastCalls())], [["9", 3]]);
  assert.deepEqual(await store.redemptions(), [{ agreementId: "9", redeemedCalls: 2, pendingCalls: 3, pendingTx: "0xabc" }]);
  await store.persistCall(record(9n, 4));
  await assert.rejects(store.persistCall(record(9n, 2)), /UNIQUE/, "the unique (agreement, call) constraint survives the upgrade");
  assert.deepEqual((await store.receiptDigests(9n, 0, 10)).map(([c]) => c), [1, 2, 3, 4]);
  await store.close();

  const check = new DatabaseSync(path.join(dir, "worker.db"));
  assert.equal((check.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 2);
  assert.doesNotMatch(String((check.prepare("SELECT sql FROM sqlite_master WHERE name = 'calls'").get() as { sql: string }).sql), /WITHOUT ROWID/);
  check.close();
});
