/**
 * Signing half of the development wallet (loaded on demand by ./provider.ts). The key is generated
 * once per browser and kept in localStorage: it is a throwaway identity for the local chain, never
 * a place for real funds.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  isAddress,
  isHex,
  numberToHex,
  parseEther,
  type Address,
  type Hex,
  type TypedDataDefinition,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as z from "zod/mini";
import { DEV_WALLET_STORAGE, ProviderRpcError } from "./provider.ts";

/** Balance the wallet tops itself up to on the local chain (hardhat_setBalance) when it runs low. */
const FUNDED_BALANCE = parseEther("100");
const LOW_BALANCE = parseEther("1");

const hex = z.custom<Hex>((value) => typeof value === "string" && isHex(value), "must be 0x-prefixed hex");
const quantity = z.pipe(hex, z.transform((value: Hex) => BigInt(value)));
const address = z.custom<Address>((value) => typeof value === "string" && isAddress(value), "must be an address");
const transactionSchema = z.object({
  from: z.optional(address),
  to: z.nullish(address),
  data: z.optional(hex),
  input: z.optional(hex),
  value: z.optional(quantity),
  gas: z.optional(quantity),
  nonce: z.optional(quantity),
  maxFeePerGas: z.optional(quantity),
  maxPriorityFeePerGas: z.optional(quantity),
});

function storedKey(): Hex {
  const existing = window.localStorage.getItem(DEV_WALLET_STORAGE.privateKey);
  if (existing && isHex(existing) && existing.length === 66) return existing;
  const key = generatePrivateKey();
  window.localStorage.setItem(DEV_WALLET_STORAGE.privateKey, key);
  return key;
}

export interface DevSigner {
  address: Hex;
  ensureFunded(): Promise<void>;
  sendTransaction(params: unknown): Promise<Hex>;
  signMessage(message: unknown, address: unknown): Promise<Hex>;
  signTypedData(address: unknown, typedData: unknown): Promise<Hex>;
  forward(method: string, params: unknown[]): Promise<unknown>;
}

export function createDevSigner({ rpcUrl, chainId }: { rpcUrl: string; chainId: number }): DevSigner {
  const account = privateKeyToAccount(storedKey());
  const chain = defineChain({
    id: chainId,
    name: "Local chain",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport });
  const walletClient = createWalletClient({ account, chain, transport });

  const requireSelf = (address: unknown) => {
    if (typeof address !== "string" || address.toLowerCase() !== account.address.toLowerCase()) {
      throw new ProviderRpcError(4100, `The development wallet holds only ${account.address}.`);
    }
  };

  return {
    address: account.address,
    async ensureFunded() {
      const balance = await publicClient.getBalance({ address: account.address });
      if (balance >= LOW_BALANCE) return;
      try {
        await publicClient.request<{ Method: "hardhat_setBalance"; Parameters: [Hex, Hex]; ReturnType: boolean }>({
          method: "hardhat_setBalance",
          params: [account.address, numberToHex(FUNDED_BALANCE)],
        });
      } catch {
        throw new ProviderRpcError(
          4900,
          "The development wallet could not fund itself: the chain does not accept hardhat_setBalance (is it a hardhat node?).",
        );
      }
    },
    async sendTransaction(params) {
      const parsed = transactionSchema.safeParse(params);
      if (!parsed.success) throw new ProviderRpcError(-32602, `Invalid transaction: ${parsed.error.issues[0]?.message}`);
      const tx = parsed.data;
      if (tx.from) requireSelf(tx.from);
      return walletClient.sendTransaction({
        account,
        chain,
        to: tx.to ?? null,
        data: tx.data ?? tx.input,
        value: tx.value,
        gas: tx.gas,
        nonce: tx.nonce === undefined ? undefined : Number(tx.nonce),
        maxFeePerGas: tx.maxFeePerGas,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      });
    },
    async signMessage(message, address) {
      requireSelf(address);
      if (typeof message !== "string" || !isHex(message)) throw new ProviderRpcError(-32602, "personal_sign expects hex data.");
      return account.signMessage({ message: { raw: message } });
    },
    async signTypedData(address, typedData) {
      requireSelf(address);
      const definition = (typeof typedData === "string" ? JSON.parse(typedData) : typedData) as TypedDataDefinition;
      return account.signTypedData(definition);
    },
    forward: (method, params) =>
      publicClient.request<{ Method: string; Parameters: unknown[]; ReturnType: unknown }>({ method, params }),
  };
}
