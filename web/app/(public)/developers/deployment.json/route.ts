import { CONTRACT_ABIS, CONTRACT_NAMES } from "@/lib/abis";
import { requestConfig } from "@/lib/request-config";

/** Everything a client needs to talk to this deployment, in one file: chain, endpoints, addresses, ABIs. */
export async function GET() {
  const result = await requestConfig();
  if (!result.ok) return Response.json({ error: "The server is not configured", problems: result.problems }, { status: 503 });
  const { chainId, networkName, subgraphUrl, contracts } = result.config;
  return Response.json({
    chainId,
    network: networkName,
    subgraphUrl,
    contracts: Object.fromEntries(CONTRACT_NAMES.map((name) => [name, { ...contracts[name], abi: CONTRACT_ABIS[name] }])),
  });
}
