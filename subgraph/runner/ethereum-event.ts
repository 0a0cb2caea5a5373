/**
 * The `ethereum.Event` a handler receives, built in wasm memory exactly as graph-node lays it out
 * for apiVersion >= 0.0.7: address, logIndex, transactionLogIndex, logType, block, transaction,
 * parameters (decoded with the manifest's ABI) and receipt (only for `receipt: true` handlers).
 */
import { decodeEventLog, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { AscHeap, bigIntToBytes } from "./asc-heap.ts";
import { fromHex } from "./entity-values.ts";
import type { RpcBlock, RpcLog, RpcReceipt, RpcTransaction } from "./rpc.ts";

/** graph-ts chain/ethereum.ts ValueKind */
const EthKind = { ADDRESS: 0, FIXED_BYTES: 1, BYTES: 2, INT: 3, UINT: 4, BOOL: 5, STRING: 6, FIXED_ARRAY: 7, ARRAY: 8, TUPLE: 9 } as const;

export interface DecodedParam {
  name: string;
  type: AbiParameter;
  value: unknown;
  /** An indexed dynamic value: the topic holds its keccak256, which is all there is. */
  hashed: boolean;
}

export class EventDecodeError extends Error {}

export function decodeParams(event: AbiEvent, log: RpcLog): DecodedParam[] {
  let args: unknown;
  try {
    ({ args } = decodeEventLog({ abi: [event], data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true }));
  } catch (error) {
    throw new EventDecodeError(`log ${log.logIndex} of block ${log.blockNumber} does not decode as ${event.name}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  return event.inputs.map((input, i) => {
    const value = Array.isArray(args) ? args[i] : (args as Record<string, unknown>)[input.name ?? String(i)];
    const dynamic = input.type === "string" || input.type === "bytes" || input.type.endsWith("]") || input.type.startsWith("tuple");
    return { name: input.name ?? "", type: input, value, hashed: Boolean(input.indexed) && dynamic };
  });
}

function writeEthValue(heap: AscHeap, type: AbiParameter, value: unknown): number {
  const t = type.type;
  const array = /^(.*)\[(\d*)\]$/.exec(t);
  if (array) {
    const itemType = { ...type, type: array[1]! } as AbiParameter;
    const items = (value as unknown[]).map((item) => writeEthValue(heap, itemType, item));
    return heap.writeEnum("EthereumValue", array[2] ? EthKind.FIXED_ARRAY : EthKind.ARRAY, BigInt(heap.writeArray(items, "ArrayEthereumValue")));
  }
  if (t === "tuple") {
    const components = "components" in type ? (type.components as readonly AbiParameter[]) : [];
    const items = components.map((c, i) => writeEthValue(heap, c, Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[c.name ?? String(i)]));
    return heap.writeEnum("EthereumValue", EthKind.TUPLE, BigInt(heap.writeArray(items, "ArrayEthereumValue")));
  }
  if (t === "address") return heap.writeEnum("EthereumValue", EthKind.ADDRESS, BigInt(heap.writeBytes(fromHex(value as string))));
  if (t === "bool") return heap.writeEnum("EthereumValue", EthKind.BOOL, value ? 1n : 0n);
  if (t === "string") return heap.writeEnum("EthereumValue", EthKind.STRING, BigInt(heap.writeString(value as string)));
  if (t === "bytes") return heap.writeEnum("EthereumValue", EthKind.BYTES, BigInt(heap.writeBytes(fromHex(value as string))));
  if (t.startsWith("bytes")) return heap.writeEnum("EthereumValue", EthKind.FIXED_BYTES, BigInt(heap.writeBytes(fromHex(value as string))));
  if (t.startsWith("int") || t.startsWith("uint")) {
    const n = typeof value === "bigint" ? value : BigInt(value as number);
    return heap.writeEnum("EthereumValue", t.startsWith("u") ? EthKind.UINT : EthKind.INT, BigInt(heap.writeBytes(bigIntToBytes(n))));
  }
  throw new EventDecodeError(`ABI type ${t} is not supported`);
}

function writeParams(heap: AscHeap, params: DecodedParam[]): number {
  const pointers = params.map((p) => {
    const value = p.hashed
      ? heap.writeEnum("EthereumValue", EthKind.FIXED_BYTES, BigInt(heap.writeBytes(fromHex(p.value as string))))
      : writeEthValue(heap, p.type, p.value);
    return heap.writeObject("EventParam", [heap.writeString(p.name), value]);
  });
  return heap.writeArray(pointers, "ArrayEventParam");
}

const big = (heap: AscHeap, n: bigint) => heap.writeBytes(bigIntToBytes(n));
const bytes = (heap: AscHeap, h: string) => heap.writeBytes(fromHex(h));

export function writeBlock(heap: AscHeap, block: RpcBlock): number {
  return heap.writeObject("EthereumBlock", [
    bytes(heap, block.hash),
    bytes(heap, block.parentHash),
    bytes(heap, block.sha3Uncles),
    bytes(heap, block.miner),
    bytes(heap, block.stateRoot),
    bytes(heap, block.transactionsRoot),
    bytes(heap, block.receiptsRoot),
    big(heap, block.number),
    big(heap, block.gasUsed),
    big(heap, block.gasLimit),
    big(heap, block.timestamp),
    big(heap, block.difficulty ?? 0n),
    big(heap, block.totalDifficulty ?? 0n),
    block.size === undefined ? 0 : big(heap, block.size),
    block.baseFeePerGas === undefined ? 0 : big(heap, block.baseFeePerGas),
  ]);
}

function writeTransaction(heap: AscHeap, tx: RpcTransaction): number {
  return heap.writeObject("EthereumTransaction", [
    bytes(heap, tx.hash),
    big(heap, tx.transactionIndex),
    bytes(heap, tx.from),
    tx.to === null ? 0 : bytes(heap, tx.to),
    big(heap, tx.value),
    big(heap, tx.gas),
    big(heap, tx.gasPrice ?? 0n),
    bytes(heap, tx.input),
    big(heap, tx.nonce),
  ]);
}

function writeLog(heap: AscHeap, log: RpcLog, transactionLogIndex: bigint): number {
  const removed = log.removed === undefined ? 0 : heap.writeObject("WrappedBool", [log.removed ? 1 : 0]);
  return heap.writeObject("Log", [
    bytes(heap, log.address),
    heap.writeArray(log.topics.map((t) => bytes(heap, t)), "ArrayH256"),
    bytes(heap, log.data),
    bytes(heap, log.blockHash),
    heap.writeBytes(bigIntToBytes(log.blockNumber)),
    bytes(heap, log.transactionHash),
    big(heap, log.transactionIndex),
    big(heap, log.logIndex),
    big(heap, transactionLogIndex),
    0,
    removed,
  ]);
}

function writeReceipt(heap: AscHeap, receipt: RpcReceipt): number {
  const logs = receipt.logs.map((log, i) => writeLog(heap, log, BigInt(i)));
  return heap.writeObject("TransactionReceipt", [
    bytes(heap, receipt.transactionHash),
    big(heap, receipt.transactionIndex),
    bytes(heap, receipt.blockHash),
    big(heap, receipt.blockNumber),
    big(heap, receipt.cumulativeGasUsed),
    big(heap, receipt.gasUsed),
    bytes(heap, receipt.contractAddress ?? `0x${"00".repeat(20)}`),
    heap.writeArray(logs, "ArrayLog"),
    big(heap, receipt.status ?? 1n),
    bytes(heap, receipt.root ?? "0x"),
    bytes(heap, receipt.logsBloom),
  ]);
}

export interface EventInput {
  log: RpcLog;
  /** The log's index among its transaction's logs. */
  transactionLogIndex: bigint;
  block: RpcBlock;
  transaction: RpcTransaction;
  params: DecodedParam[];
  receipt: RpcReceipt | null;
}

export function writeEvent(heap: AscHeap, input: EventInput): number {
  return heap.writeObject("EthereumEvent", [
    bytes(heap, input.log.address),
    big(heap, input.log.logIndex),
    big(heap, input.transactionLogIndex),
    0, // logType: JSON-RPC providers do not report it
    writeBlock(heap, input.block),
    writeTransaction(heap, input.transaction),
    writeParams(heap, input.params),
    input.receipt ? writeReceipt(heap, input.receipt) : 0,
  ]);
}
