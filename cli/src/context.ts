/** What most commands build from the configuration: the chain, and the subgraph when configured. */
import { createSubgraphClient } from "@agentry/protocol";
import { connectChain } from "./chain.ts";
import { positiveInteger, required, type CliConfig, type OptionValues } from "./config.ts";
import type { Directory } from "./directory.ts";
import { readKeyFile } from "./keys.ts";
import { usageError } from "./output.ts";
import { Payer } from "./paid-call.ts";

export async function openDirectory(config: CliConfig, why: string): Promise<Directory> {
  const chain = await connectChain(required(config, "rpcUrl", why));
  return { chain, ...(config.subgraphUrl ? { subgraph: createSubgraphClient(config.subgraphUrl) } : {}) };
}

/** The payer of `--agreement` with the session key of `--key`, for commands that make paid calls. */
export async function openPayer(command: string, values: OptionValues, config: CliConfig): Promise<{ payer: Payer; directory: Directory; brokerUrl: string }> {
  const agreementId = positiveInteger(values.agreement as string | undefined, "--agreement", command);
  if (typeof values.key !== "string") throw usageError("no --key given: the session key signs each call's voucher", "pass the file `agentry open --session-key-out` wrote");
  const sessionKey = await readKeyFile(values.key, "session key");
  const brokerUrl = required(config, "brokerUrl", "paid calls go through the broker");
  const directory = await openDirectory(config, "the agreement is read from the chain");
  const payer = await Payer.open({ directory, brokerUrl, sessionKey, agreementId, stateDir: config.stateDir });
  return { payer, directory, brokerUrl };
}
