/**
 * The browser's session keys: opening an agreement generates a key that signs the vouchers for it,
 * kept in localStorage (per chain, escrow and agent) with the next call index. The key only spends
 * the agreement's deposit, and only as far as its vouchers say.
 */
import { z } from "zod";
import type { Address, Hex } from "viem";

const storedSessionSchema = z.object({
  version: z.literal(1),
  privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  sessionKey: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  /** Null until the agreement's opening is mined. */
  agreementId: z.string().regex(/^\d+$/).nullable(),
  /** Wei per call, as the agreement was opened with. */
  price: z.string().regex(/^\d+$/),
  maxCalls: z.number().int().positive(),
  /** Calls already signed: the next voucher is for call `callsSigned + 1`. */
  callsSigned: z.number().int().nonnegative(),
});

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
  const parsed = storedSessionSchema.safeParse(json);
  if (!parsed.success) return null;
  const s = parsed.data;
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
  const stored: z.input<typeof storedSessionSchema> = {
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
