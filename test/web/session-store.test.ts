import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSession, saveSession, type StoredSession } from "../../web/lib/agent/session-store.ts";

/** The part of the Web Storage API the store uses, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

const scope = { chainId: 31337, escrow: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" as const, agentId: 7n };
const session: StoredSession = {
  privateKey: `0x${"11".repeat(32)}`,
  sessionKey: "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A",
  agreementId: 12n,
  price: 100_000_000_000_000n,
  maxCalls: 10,
  callsSigned: 3,
};

test("a saved session reads back with its bigints, per chain, escrow and agent", () => {
  const storage = memoryStorage();
  saveSession(scope, session, storage);
  assert.deepEqual(loadSession(scope, storage), session);
  assert.equal(loadSession({ ...scope, agentId: 8n }, storage), null);
  assert.equal(loadSession({ ...scope, chainId: 1 }, storage), null);
  assert.equal(loadSession({ ...scope, escrow: scope.escrow.toLowerCase() as `0x${string}` }, storage)?.agreementId, 12n);
});

test("anything else under the key (edited, older format, not JSON) reads as no session", () => {
  const storage = memoryStorage();
  saveSession(scope, session, storage);
  const key = storage.key(0)!;
  const stored = JSON.parse(storage.getItem(key)!) as Record<string, unknown>;
  for (const bad of ["not json", JSON.stringify({ ...stored, version: 2 }), JSON.stringify({ ...stored, privateKey: "0x12" }), JSON.stringify({ ...stored, callsSigned: -1 })]) {
    storage.setItem(key, bad);
    assert.equal(loadSession(scope, storage), null, bad);
  }
});
