/** `agentry open`: open an agreement with an agent, with a new session key for its vouchers. */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { erc20Abi, getAddress, parseEther, parseEventLogs, zeroAddress, type Address } from "viem";
import { agreementEscrowAbi } from "@agentry/protocol";
import { connectChain } from "../chain.ts";
import { COMMON_HELP, parseCommand, positiveInteger, required } from "../config.ts";
import { readKeyFile, createKeyFile } from "../keys.ts";
import { CliError, formatEth, printResult, progress, usageError } from "../output.ts";
import { sendContractCall } from "../transactions.ts";

export const summary = "open an agreement (deposit into AgreementEscrow) with a new session key";

export const help = `agentry open <agentId> --max-calls N [--deposit <amount>] [--token <address>] [--expires 7d] [--session-key-out <file>]

Opens an agreement with the agent, paid by the wallet in --key-file, and names a new session key
(written to --session-key-out, mode 0600) that signs the vouchers, so calls need no wallet.
  --deposit     ETH agreements: an amount in ETH (e.g. 0.01); with --token: the token's smallest
                units. A whole number of calls at the agent's price. Default: max-calls × price.
  --token       an ERC-20 the agent has a price in (the escrow is approved for the deposit first)
  --expires     how long the agreement runs: 30m, 12h, 7d (default 7d; at most 365d)
Prints the agreement id.

${COMMON_HELP}`;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseDuration(text: string): bigint {
  const match = /^([1-9][0-9]{0,8})([smhd])$/.exec(text);
  if (!match) throw usageError(`--expires must be a duration like 30m, 12h or 7d, got ${JSON.stringify(text)}`, "see `agentry open --help`");
  return BigInt(Number(match[1]) * UNITS[match[2]!]!);
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals, config } = parseCommand("open", argv, {
    deposit: { type: "string" }, "max-calls": { type: "string" }, token: { type: "string" }, expires: { type: "string" }, "session-key-out": { type: "string" },
  });
  const agentId = positiveInteger(positionals[0], "<agentId>", "open");
  const maxCalls = positiveInteger(values["max-calls"] as string | undefined, "--max-calls", "open");
  if (maxCalls >= 2n ** 32n) throw usageError("--max-calls must be below 4294967296", "see `agentry open --help`");
  const ttl = parseDuration(String(values.expires ?? "7d"));
  const tokenText = values.token as string | undefined;
  if (tokenText !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(tokenText)) throw usageError("--token must be an address (0x + 40 hex digits)", "omit it to pay in ETH");
  const token: Address = tokenText ? getAddress(tokenText) : zeroAddress;

  const wallet = await readKeyFile(required(config, "keyFile", "the wallet pays the deposit"), "wallet key");
  const chain = await connectChain(required(config, "rpcUrl", "the agreement is opened on-chain"));
  const escrow = chain.deployment.contracts.AgreementEscrow.address;
  const price = await chain.publicClient.readContract({ address: escrow, abi: agreementEscrowAbi, functionName: "priceOf", args: [agentId, token] });
  if (price === 0n) {
    throw new CliError(`agent ${agentId} has no price ${token === zeroAddress ? "in ETH" : `in token ${token}`}`, "check the agent id (`agentry agents`) and the token its owner prices calls in");
  }
  const deposit = parseDeposit(values.deposit as string | undefined, token, price, maxCalls);
  if (deposit === 0n || deposit % price !== 0n) {
    const unit = token === zeroAddress ? (w: bigint) => `${formatEth(w)} ETH` : (w: bigint) => `${w} units`;
    throw usageError(`the deposit must be a positive whole number of calls at ${unit(price)} per call`, `e.g. --deposit ${token === zeroAddress ? formatEth(price * maxCalls) : price * maxCalls} for ${maxCalls} calls`);
  }
  if (deposit / price > maxCalls) throw usageError(`the deposit pays ${deposit / price} calls, more than --max-calls ${maxCalls}`, "raise --max-calls or lower --deposit");

  const keyFile = path.resolve(String(values["session-key-out"] ?? path.join(config.stateDir, "keys", `session-${Date.now()}.key`)));
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  const sessionKey = await createKeyFile(keyFile);
  progress(`session key ${sessionKey.address} written to ${keyFile}`);

  const block = await chain.publicClient.getBlock();
  const expiresAt = block.timestamp + ttl;
  if (token !== zeroAddress) {
    const allowance = await chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "allowance", args: [wallet.address, escrow] });
    if (allowance < deposit) {
      await sendContractCall(chain, wallet, { address: token, abi: erc20Abi, functionName: "approve", args: [escrow, deposit] }, "approve the escrow", "check the token address and the wallet's token balance");
    }
  }
  const receipt = await sendContractCall(
    chain,
    wallet,
    { address: escrow, abi: agreementEscrowAbi, functionName: "open", args: [agentId, token, deposit, Number(maxCalls), expiresAt, sessionKey.address], ...(token === zeroAddress ? { value: deposit } : {}) },
    "open the agreement",
    "check the wallet's balance, the agent's price and the deposit",
  );
  const [opened] = parseEventLogs({ abi: agreementEscrowAbi, eventName: "AgreementOpened", logs: receipt.logs });
  if (!opened) throw new CliError(`the transaction ${receipt.transactionHash} emitted no AgreementOpened event`, "check --rpc-url points at the chain of this deployment");
  const result = {
    agreementId: opened.args.agreementId,
    agentId,
    client: wallet.address,
    token,
    price,
    deposit,
    calls: deposit / price,
    maxCalls,
    expiresAt,
    sessionKey: sessionKey.address,
    sessionKeyFile: keyFile,
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
  };
  printResult(config, result, () =>
    [
      `Agreement ${result.agreementId} opened with agent ${agentId}: ${result.calls} calls at ${token === zeroAddress ? `${formatEth(price)} ETH` : `${price} units`} each, until ${new Date(Number(expiresAt) * 1000).toISOString()}.`,
      `Session key: ${sessionKey.address} (${keyFile})`,
      `Next: agentry mcp --agreement ${result.agreementId} --key ${keyFile}`,
    ].join("\n"),
  );
}

function parseDeposit(text: string | undefined, token: Address, price: bigint, maxCalls: bigint): bigint {
  if (text === undefined) return price * maxCalls;
  if (token === zeroAddress) {
    if (!/^[0-9]+(\.[0-9]{1,18})?$/.test(text)) throw usageError(`--deposit must be an amount of ETH like 0.01, got ${JSON.stringify(text)}`, "see `agentry open --help`");
    return parseEther(text);
  }
  if (!/^[0-9]+$/.test(text)) throw usageError("--deposit must be a whole number of the token's smallest units", "see `agentry open --help`");
  return BigInt(text);
}
