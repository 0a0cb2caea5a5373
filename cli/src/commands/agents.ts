/** `agentry agents`: search the agents the subgraph knows. */
import { createSubgraphClient, type AgentOrder } from "@agentry/protocol";
import { COMMON_HELP, parseCommand, required } from "../config.ts";
import { CliError, formatEth, printResult, table, usageError } from "../output.ts";

export const summary = "search agents by text, tag and price (subgraph)";

export const help = `agentry agents [--search <text>] [--tag <tag>] [--max-price <wei>] [--order newest|oldest|price|name] [--first N] [--skip N]

Lists agents from the subgraph: name or description containing <text> (any case) or a tool named
<text>; a tool tagged <tag>; an ETH price per call of at most <wei>.

${COMMON_HELP}`;

const ORDERS: readonly AgentOrder[] = ["newest", "oldest", "price", "name"];

export async function run(argv: string[]): Promise<void> {
  const { values, config } = parseCommand("agents", argv, {
    search: { type: "string" }, tag: { type: "string" }, "max-price": { type: "string" }, order: { type: "string" }, first: { type: "string" }, skip: { type: "string" },
  });
  const subgraphUrl = required(config, "subgraphUrl", "agent search reads the subgraph");
  const maxPrice = values["max-price"];
  if (maxPrice !== undefined && !/^(0|[1-9][0-9]*)$/.test(String(maxPrice))) throw usageError("--max-price must be a whole number of wei", "e.g. --max-price 1000000000000 (0.000001 ETH)");
  const order = (values.order ?? "newest") as AgentOrder;
  if (!ORDERS.includes(order)) throw usageError(`--order must be one of ${ORDERS.join(", ")}`, "see `agentry agents --help`");
  const count = (name: "first" | "skip", fallback: number) => {
    const text = values[name];
    if (text === undefined) return fallback;
    if (!/^[0-9]{1,4}$/.test(String(text))) throw usageError(`--${name} must be a whole number up to 1000`, "see `agentry agents --help`");
    return Number(text);
  };
  const agents = await createSubgraphClient(subgraphUrl)
    .searchAgents({
      ...(typeof values.search === "string" ? { text: values.search } : {}),
      ...(typeof values.tag === "string" ? { tag: values.tag } : {}),
      ...(maxPrice !== undefined ? { maxPrice: BigInt(String(maxPrice)) } : {}),
      orderBy: order,
      first: count("first", 20),
      skip: count("skip", 0),
    })
    .catch((error: Error) => {
      throw new CliError(error.message, "check --subgraph / AGENTRY_SUBGRAPH_URL");
    });
  const rows = agents.map((a) => ({
    agentId: a.agentId,
    name: a.registrationFile?.name ?? null,
    description: a.registrationFile?.description ?? null,
    ethPrice: a.ethPrice,
    tools: a.registrationFile?.toolNames ?? [],
    tags: a.registrationFile?.tags ?? [],
    owner: a.owner.id,
    agentURI: a.agentURI,
  }));
  printResult(config, { agents: rows }, () =>
    rows.length === 0
      ? "No agents match."
      : table(
          ["ID", "NAME", "PRICE (ETH/call)", "TOOLS", "TAGS"],
          rows.map((r) => [r.agentId.toString(), r.name ?? "(no registration file)", r.ethPrice === null ? "-" : formatEth(r.ethPrice), r.tools.join(", "), r.tags.join(", ")]),
        ),
  );
}
