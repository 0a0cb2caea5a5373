/**
 * Vouchers: a client's (or session key's) EIP-712 signature of
 * `Invocation(agreementId, calls, amount, requestHash)` in the escrow's domain. Cumulative: call
 * number `calls` carries `amount = calls * price` and pays for every call up to it.
 *
 * On the wire (MCP `params._meta["agentry/voucher"]` of `tools/call`) integers are decimal strings:
 *   { "agreementId": "7", "calls": "3", "amount": "3000", "requestHash": "0x…", "signature": "0x…" }
 */
import { hashTypedData, recoverTypedDataAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { escrowDomain, invocationTypes } from "./eip712.ts";
import { ProtocolError } from "./errors.ts";
import type { EscrowRef, TypedDataSigner } from "./signing.ts";
import { bytes32Schema, parseWire, signatureSchema, uint256Schema } from "./wire.ts";

/** The `_meta` key that carries a voucher in `tools/call`. */
export const VOUCHER_META_KEY = "agentry/voucher";

export interface Invocation {
  agreementId: bigint;
  calls: bigint;
  amount: bigint;
  requestHash: Hex;
}

export interface SignedVoucher extends Invocation {
  signature: Hex;
}

function typedData(ref: EscrowRef, invocation: Invocation) {
  return {
    domain: escrowDomain(ref.chainId, ref.escrow),
    types: invocationTypes,
    primaryType: "Invocation" as const,
    message: {
      agreementId: invocation.agreementId,
      calls: invocation.calls,
      amount: invocation.amount,
      requestHash: invocation.requestHash,
    },
  };
}

/** The digest AgreementEscrow.hashInvocation returns for the same voucher. */
export function voucherDigest(ref: EscrowRef, invocation: Invocation): Hex {
  return hashTypedData(typedData(ref, invocation));
}

export async function signVoucher(signer: TypedDataSigner, ref: EscrowRef, invocation: Invocation): Promise<SignedVoucher> {
  const signature = await signer.signTypedData(typedData(ref, invocation));
  return { ...invocation, signature };
}

/** secp256k1 group order / 2: signatures with a larger s are malleable and the contracts reject them. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Throws INVALID_SIGNATURE unless `signature` is a 65-byte ECDSA signature with v 27/28 and low s:
 * exactly what OpenZeppelin's ECDSA (and so AgreementEscrow.redeem) accepts. A worker that accepted
 * more would serve calls it can never redeem.
 */
export function assertCanonicalSignature(signature: Hex): void {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new ProtocolError("INVALID_SIGNATURE", "the signature must be 65 bytes (r, s, v) of hex");
  }
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  if (s > HALF_ORDER) throw new ProtocolError("INVALID_SIGNATURE", "the signature is not canonical (high s): sign with a standard EIP-712 signer");
  if (v !== 27 && v !== 28) throw new ProtocolError("INVALID_SIGNATURE", `the signature's v is ${v}; it must be 27 or 28`);
}

/** The address that signed the voucher; INVALID_SIGNATURE when it is not a canonical ECDSA signature. */
export async function recoverVoucherSigner(ref: EscrowRef, voucher: SignedVoucher): Promise<Address> {
  assertCanonicalSignature(voucher.signature);
  try {
    return await recoverTypedDataAddress({ ...typedData(ref, voucher), signature: voucher.signature });
  } catch (cause) {
    throw new ProtocolError("INVALID_SIGNATURE", "the voucher signature is not a valid ECDSA signature", { cause });
  }
}

export interface VoucherExpectations {
  /** The next call index of the agreement (redeemed or served calls + 1). */
  calls: bigint;
  /** The agreement's locked price per call. */
  price: bigint;
  /** requestHash of the call being made. */
  requestHash: Hex;
  /** Addresses allowed to sign (client and session key). */
  signers: readonly Address[];
}

/**
 * Checks a voucher against what the call requires: index, amount, request and signer. Throws a
 * ProtocolError naming the first thing that is wrong.
 */
export async function verifyVoucher(ref: EscrowRef, voucher: SignedVoucher, expected: VoucherExpectations): Promise<Address> {
  if (voucher.calls !== expected.calls) {
    throw new ProtocolError(
      "WRONG_CALL_INDEX",
      `voucher is for call ${voucher.calls} but the next call of agreement ${voucher.agreementId} is ${expected.calls}`,
    );
  }
  const due = expected.calls * expected.price;
  if (voucher.amount !== due) {
    throw new ProtocolError("WRONG_AMOUNT", `voucher amount is ${voucher.amount} but call ${expected.calls} at price ${expected.price} requires ${due}`);
  }
  if (voucher.requestHash.toLowerCase() !== expected.requestHash.toLowerCase()) {
    throw new ProtocolError("WRONG_REQUEST", "voucher requestHash does not match this tool call (tool name or arguments differ)");
  }
  const signer = await recoverVoucherSigner(ref, voucher);
  if (!expected.signers.some((s) => s.toLowerCase() === signer.toLowerCase())) {
    throw new ProtocolError("WRONG_SIGNER", `voucher is signed by ${signer}, which is neither the client nor the session key of the agreement`);
  }
  return signer;
}

export const voucherWireSchema = z.object({
  agreementId: uint256Schema,
  calls: uint256Schema,
  amount: uint256Schema,
  requestHash: bytes32Schema,
  signature: signatureSchema,
});

/** Parses a voucher from `_meta`; MALFORMED_VOUCHER names each bad field. */
export function parseVoucher(value: unknown): SignedVoucher {
  if (value === undefined) {
    throw new ProtocolError("MALFORMED_VOUCHER", `missing voucher: a paid call carries params._meta["${VOUCHER_META_KEY}"]`);
  }
  return parseWire(voucherWireSchema, value, "voucher", "MALFORMED_VOUCHER");
}

export function encodeVoucher(voucher: SignedVoucher) {
  return {
    agreementId: voucher.agreementId.toString(),
    calls: voucher.calls.toString(),
    amount: voucher.amount.toString(),
    requestHash: voucher.requestHash,
    signature: voucher.signature,
  };
}
