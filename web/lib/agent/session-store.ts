/**
 * The browser's session keys: opening an agreement generates a key that signs the vouchers for it,
 * kept in localStorage (per chain, escrow and agent) with the next call index. The key only spends
 * the agreement's deposit, and only as far as its vouchers say.
 */
import type { Address, Hex } from "viem";

/** What is stored, as JSON (validated by hand: zod would weigh on the page's initial JavaScript). */
interface StoredJson {
  version: 1;
  privateKey: string;
  sessionKey: string;
  /** Null until the agreement's opening is mined. */
  agreementId: string | null;
  /** Wei per call, as the agreement was opened with. */
  price: string;
  maxCalls: number;
  /** Calls already signed: the next voucher is for call `callsSigned + 1`. */
  callsSigned: number;
}

function isStoredJson(value: unknown): value is StoredJson {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const decimal = (x: unknown) => typeof x === "string" && /^\d+$/.test(x);
  const count = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 0;
  return (
    v.version === 1 &&
    typeof v.privateKey === "string" && /^0x[0-9a-fA-F]{64}$/.test(v.privateKey) &&
    typeof v.sessionKey === "string" && /^0x[0-9a-fA-F]{40}$/.test(v.sessionKey) &&
    (v.agreementId === null || decimal(v.agreementId)) &&
    decimal(v.price) &&
    count(v.maxCalls) && (v.maxCalls as number) > 0 &&
    count(v.callsSigned)
  );
}

export interface StoredSession {
  privateKey: Hex;
  sessionKey: Address;
  agreementId: bigint | null;
  price: bigint;
  maxCalls: number;
  callsSigned: number;
}

export interface SessionScope {
  chainId: number;
  escrow: Address;
  agentId: bigint;
}

const storageKey = (scope: SessionScope) => `agentry:session:${scope.chainId}:${scope.escrow.toLowerCase()}:${scope.agentId}`;

export function loadSession(scope: SessionScope, storage: Storage = localStorage): StoredSession | null {
  const text = storage.getItem(storageKey(scope));
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isStoredJson(json)) return null;
  const s = json;
  return {
    privateKey: s.privateKey as Hex,
    sessionKey: s.sessionKey as Address,
    agreementId: s.agreementId === null ? null : BigInt(s.agreementId),
    price: BigInt(s.price),
    maxCalls: s.maxCalls,
    callsSigned: s.callsSigned,
  };
}

export function saveSession(scope: SessionScope, session: StoredSession, storage: Storage = localStorage): void {
  const stored: StoredJson = {
    version: 1,
    privateKey: session.privateKey,
    sessionKey: session.sessionKey,
    agreementId: session.agreementId === null ? null : session.agreementId.toString(),
    price: session.price.toString(),
    maxCalls: session.maxCalls,
    callsSigned: session.callsSigned,
  };
  storage.setItem(storageKey(scope), JSON.stringify(stored));
}
