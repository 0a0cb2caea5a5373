/**
 * Turns whatever a wallet, an RPC node or viem throws during a transaction into one of three
 * outcomes a person can act on: they rejected it, a contract reverted (with the decoded custom
 * error of any Agentry contract), or something else went wrong (with viem's short message, or what
 * to do when the account cannot pay for it).
 */
import {
  BaseError,
  ContractFunctionRevertedError,
  InsufficientFundsError,
  UserRejectedRequestError,
  decodeErrorResult,
  formatEther,
  isHex,
  type Abi,
  type Hex,
} from "viem";

type AbiError = Extract<Abi[number], { type: "error" }>;

/** Plain-language explanations of the reverts people meet in the dApp; others show name and values. */
const EXPLANATIONS: Record<string, string> = {
  NotAgentOperator: "Only the agent's owner or an operator they approved can do this.",
  ERC721NonexistentToken: "There is no agent with this id.",
  InputTooLong: "A value is longer than the contract accepts.",
  SignatureExpired: "The signature's deadline has passed; sign again.",
  NoPrice: "The agent has no price in this token.",
  InvalidDeposit: "The deposit must be a whole number of calls at the agent's price.",
  DepositExceedsMaxCalls: "The deposit pays for more calls than the agreement allows.",
  InvalidExpiry: "The expiry is outside the allowed range.",
  WrongValue: "The ETH sent does not match the deposit.",
  UnknownAgreement: "There is no agreement with this id.",
  AgreementIsClosed: "The agreement is already closed.",
  AgreementExpired: "The agreement has expired.",
  NotClient: "Only the agreement's client can do this.",
  CloseNotAllowedYet: "The agreement cannot be closed yet (the provider's redeem window is still open).",
  NotAllowedToClose: "Only the client or the agent's owner can close this agreement.",
  InsufficientBalance: "The balance is too low for this transaction.",
  UnknownAgent: "There is no agent with this id.",
  SelfFeedbackNotAllowed: "An agent's owner cannot give feedback to their own agent.",
  NotAgreementClient: "The agreement belongs to another client.",
  NoRedeemedCalls: "Feedback needs an agreement with at least one paid call.",
  TooMuchFeedback: "You have reached the feedback limit for this agent.",
  DevWorkersNotAllowed: "This deployment does not accept development (unattested) workers.",
  WorkerAlreadyRegistered: "This worker key is already registered.",
  UnknownWorker: "There is no worker with this address.",
  WorkerIsRetired: "The worker is retired.",
  NotWorkerOperator: "Only the worker's operator can do this.",
  NotValidator: "Only a validator can do this.",
  NotValidated: "The worker has not been validated.",
  MeasurementMismatch: "The worker runs code whose measurement is not the one pinned for this agent.",
};

export type TransactionFailure =
  | { kind: "rejected"; message: string }
  | { kind: "reverted"; errorName: string | null; message: string }
  | { kind: "error"; message: string };

export interface DecodedRevert {
  errorName: string;
  args: readonly unknown[];
}

/** Decodes raw revert data against every Agentry error (and Solidity's Error/Panic); null if unknown. */
export async function decodeRevertData(data: Hex): Promise<(DecodedRevert & { abi: Abi }) | null> {
  const { protocolErrorsAbi } = await import("./protocol-errors.ts");
  try {
    const decoded = decodeErrorResult({ abi: protocolErrorsAbi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [], abi: protocolErrorsAbi };
  } catch {
    return null;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value.length > 66 ? `${value.slice(0, 63)}…` : value;
  return String(value);
}

/** "Only the agent's owner… (NotAgentOperator: agentId 3, caller 0x…)" */
export function explainRevert({ errorName, args }: DecodedRevert, abi: Abi): string {
  if (errorName === "Error") return String(args[0] ?? "reverted");
  if (errorName === "Panic") return `The contract panicked (code ${formatValue(args[0])}).`;
  const definition = abi.find((item): item is AbiError => item.type === "error" && item.name === errorName && item.inputs.length === args.length);
  const details = args.map((arg, i) => `${definition?.inputs[i]?.name || `#${i}`} ${formatValue(arg)}`).join(", ");
  const technical = details ? `${errorName}: ${details}` : errorName;
  const explanation = EXPLANATIONS[errorName];
  return explanation ? `${explanation} (${technical})` : `The contract reverted with ${technical}.`;
}

function isUserRejection(error: unknown): boolean {
  if (error instanceof UserRejectedRequestError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === UserRejectedRequestError.code || code === "ACTION_REJECTED";
}

/** Revert data carried by a node's JSON-RPC error (e.g. when eth_estimateGas fails), if any. */
function rawRevertData(error: unknown): Hex | null {
  const data = (error as { data?: unknown } | null)?.data;
  if (isHex(data) && data.length >= 10) return data;
  if (data && typeof data === "object" && "data" in data && isHex(data.data) && data.data.length >= 10) return data.data;
  return null;
}

/** What an account lacks to send a transaction: found before the wallet is asked (use-transaction.ts). */
export interface Shortfall {
  balance: bigint;
  /** ETH the transaction sends (a deposit, a top-up). */
  value: bigint;
  /** Upper estimate of its gas: estimated gas × the current max fee per gas. */
  gasCost: bigint;
}

const MICRO_ETHER = 10n ** 12n;

/** "0.000024": gas estimates rounded up to six decimals, more would be false precision. */
const roughEther = (wei: bigint) => formatEther(((wei + MICRO_ETHER - 1n) / MICRO_ETHER) * MICRO_ETHER);

export function insufficientFundsMessage({ balance, value, gasCost }: Shortfall): string {
  const needs = value > 0n ? `${formatEther(value)} ETH plus about ${roughEther(gasCost)} ETH of gas` : `about ${roughEther(gasCost)} ETH of gas`;
  return `Your wallet holds ${formatEther(balance)} ETH, not enough ETH for this transaction: it needs ${needs}. Add ETH to your wallet (or lower the amount) and try again.`;
}

/** A node refusing a transaction its sender cannot pay for (viem's classification, or Hardhat's wording). */
const NODE_INSUFFICIENT_FUNDS = /insufficient funds|doesn't have enough funds/i;

export async function describeTransactionError(error: unknown): Promise<TransactionFailure> {
  if (!(error instanceof BaseError)) {
    if (isUserRejection(error)) return { kind: "rejected", message: "You rejected the request in your wallet." };
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  if (error.walk(isUserRejection)) return { kind: "rejected", message: "You rejected the request in your wallet." };

  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    // viem decodes only with the called contract's ABI; a revert bubbling up from another Agentry
    // contract arrives as raw data and is decoded against all of them.
    const decoded = reverted.data
      ? { errorName: reverted.data.errorName, args: reverted.data.args ?? [], abi: [reverted.data.abiItem] }
      : reverted.raw
        ? await decodeRevertData(reverted.raw)
        : null;
    if (decoded) return { kind: "reverted", errorName: decoded.errorName, message: explainRevert(decoded, decoded.abi) };
    return {
      kind: "reverted",
      errorName: null,
      message: reverted.reason ? `The contract reverted: ${reverted.reason}` : "The contract reverted without a reason.",
    };
  }

  const withData = error.walk((e) => rawRevertData(e) !== null);
  const data = withData ? rawRevertData(withData) : null;
  const decoded = data ? await decodeRevertData(data) : null;
  if (decoded) return { kind: "reverted", errorName: decoded.errorName, message: explainRevert(decoded, decoded.abi) };

  // Caught before sending in use-transaction.ts; this is the wallet or node refusing it anyway
  // (the fees rose in between, or the wallet asks for more gas than estimated).
  if (error.walk((e) => e instanceof InsufficientFundsError) || NODE_INSUFFICIENT_FUNDS.test(error.message)) {
    return { kind: "error", message: "Your wallet does not have enough ETH for this transaction and its gas. Add ETH to your wallet (or lower the amount) and try again." };
  }
  return { kind: "error", message: error.shortMessage || error.message };
}
