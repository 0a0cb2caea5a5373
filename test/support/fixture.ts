/**
 * Shared deployment fixture for the contract tests: the four Agentry contracts wired together as
 * the Ignition module wires them, plus a mock ERC-20, and helpers to sign vouchers with the
 * protocol's EIP-712 definitions.
 */
import { network } from "hardhat";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { escrowDomain, invocationTypes } from "../../protocol/src/eip712.ts";

export const connection = await network.create();
export const { viem, networkHelpers } = connection;

/** A valid canonical CIDv1 (raw, sha2-256) URI: 66 characters. */
export const SAMPLE_URI = "ipfs://bafkreiepjypcrifzjfdjkkmu7wtednbsw6bj7uqvi5j72jhp6tf2bzgy4y";

/** The local-chain setup: DEV workers allowed (use with `networkHelpers.loadFixture`). */
export async function deployAgentry() {
  return deployWith(true);
}

/** The real-network setup: DEV workers refused. */
export async function deployAgentryWithoutDevWorkers() {
  return deployWith(false);
}

async function deployWith(allowDevWorkers: boolean) {
  const [deployer, provider, client, stranger, validator, ...rest] = await viem.getWalletClients();
  if (!deployer || !provider || !client || !stranger || !validator) throw new Error("need 5 accounts");
  const publicClient = await viem.getPublicClient();
  const agentRegistry = await viem.deployContract("AgentRegistry");
  const workerRegistry = await viem.deployContract("WorkerRegistry", [
    deployer.account.address,
    agentRegistry.address,
    allowDevWorkers,
  ]);
  const escrow = await viem.deployContract("AgreementEscrow", [agentRegistry.address]);
  const reputation = await viem.deployContract("ReputationRegistry", [agentRegistry.address, escrow.address]);
  const token = await viem.deployContract("MockERC20", ["Test USD", "TUSD", 6]);
  const chainId = await publicClient.getChainId();
  return {
    deployer, provider, client, stranger, validator, others: rest,
    publicClient, chainId,
    agentRegistry, workerRegistry, escrow, reputation, token,
  };
}

export type Agentry = Awaited<ReturnType<typeof deployAgentry>>;

/** Registers an agent owned by `provider` and returns its id. */
export async function registerAgent(a: Agentry, uri: string = SAMPLE_URI): Promise<bigint> {
  const id = await a.agentRegistry.read.nextAgentId();
  await a.agentRegistry.write.register([uri], { account: a.provider.account });
  return id;
}

/** A stand-in request hash for tests that do not care about the request's content. */
export function requestHashOf(label: string): Hex {
  return keccak256(toHex(label));
}

type Signer = { signTypedData: (args: never) => Promise<Hex>; account: { address: Address } };

/** Signs an Invocation voucher in the escrow's domain with the protocol's type definition. */
export async function signVoucher(
  signer: { signTypedData: Function; account: unknown },
  args: { chainId: number; escrow: Address; agreementId: bigint; calls: bigint; amount: bigint; requestHash: Hex },
): Promise<Hex> {
  return (signer as Signer).signTypedData({
    account: signer.account,
    domain: escrowDomain(args.chainId, args.escrow),
    types: invocationTypes,
    primaryType: "Invocation",
    message: {
      agreementId: args.agreementId,
      calls: args.calls,
      amount: args.amount,
      requestHash: args.requestHash,
    },
  } as never);
}
