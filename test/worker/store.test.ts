/**
 * The worker's durable call store (worker/src/store.ts): group commit at the end of each turn of
 * the event loop, a duplicate failing only its own call, what survives a reopen, and the upgrade of
 * a database written by the first schema version.
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

test("calls of one event-loop turn commit together; a duplicate fails alone; everything is there after a reopen", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "agentry-store-"));
  const store = new CallStore(dir);
  const writes = [];
  for (let calls = 1; calls <= 200; calls++) for (const agreement of [1n, 2n, 3n]) writes.push(store.persistCall(record(agreement, calls)));
  assert.deepEqual(store.stats(), { commits: 0, rows: 0 }, "nothing is committed before the turn ends");
  await Promise.all(writes);
  const outcomes = await Promise.allSettled([store.persistCall(record(2n, 201)), store.persistCall(record(2n, 150)), store.persistCall(record(3n, 201))]);
  assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /UNIQUE/);
  // 600 rows in one commit; the second turn's batch fails on its duplicate, so its two good rows
  // are retried alone: 602 rows in 3 commits.
  assert.deepEqual(store.stats(), { commits: 3, rows: 602 });
  // A row queued when the store closes is committed, not dropped.
  const last = store.persistCall(record(1n, 201));
  store.close();
  await last;
  await assert.rejects(store.persistCall(record(1n, 202)), /the store is closed/);

  const reopened = new CallStore(dir);
  assert.deepEqual([...reopened.lastCalls()].sort(), [["1", 201], ["2", 201], ["3", 201]]);
  const digests = reopened.receiptDigests(2n, 0, 5);
  assert.deepEqual(digests, [1, 2, 3, 4, 5].map((c) => [c, record(2n, c).receiptDigest]));
  assert.deepEqual(reopened.receiptDigests(2n, 198, 1000).map(([c]) => c), [199, 200, 201], "the calls after the last redemption only");
  assert.deepEqual(reopened.call(3n, 201), { voucher: record(3n, 201).voucher, receipt: record(3n, 201).receipt });
  assert.equal(reopened.call(3n, 202), null);
  assert.deepEqual(reopened.callsBetween(1n, 199, 250).map((r) => r.calls), [199, 200, 201]);
  reopened.close();
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
  assert.deepEqual([...store.lastCalls()], [["9", 3]]);
  assert.deepEqual(store.redemptions(), [{ agreementId: "9", redeemedCalls: 2, pendingCalls: 3, pendingTx: "0xabc" }]);
  await store.persistCall(record(9n, 4));
  await assert.rejects(store.persistCall(record(9n, 2)), /UNIQUE/, "the unique (agreement, call) constraint survives the upgrade");
  assert.deepEqual(store.receiptDigests(9n, 0, 10).map(([c]) => c), [1, 2, 3, 4]);
  store.close();

  const check = new DatabaseSync(path.join(dir, "worker.db"));
  assert.equal((check.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 2);
  assert.doesNotMatch(String((check.prepare("SELECT sql FROM sqlite_master WHERE name = 'calls'").get() as { sql: string }).sql), /WITHOUT ROWID/);
  check.close();
});
