/** `agentry call`: one paid tool call through the broker. */
import { encodeReceipt } from "@agentry/protocol";
import { COMMON_HELP, parseCommand, positiveInteger } from "../config.ts";
import { openPayer } from "../context.ts";
import { agentTools } from "../directory.ts";
import { CliError, printResult, progress, usageError } from "../output.ts";
import { toolArguments } from "../tool-arguments.ts";

export const summary = "make one paid tool call through the broker; prints the result and its receipt";

export const help = `agentry call <agentId> <tool> --agreement <id> --key <session key file> [--arg key=value ...] [--args-json '{...}']

Signs the voucher for the agreement's next call with the session key, sends it through the broker,
checks the worker's receipt and keeps it in the state directory.
  --arg key=value   one argument (JSON values such as 3, true or [1,2] are parsed unless the tool's
                    schema says the property is a string); repeat for more
  --args-json       all arguments as one JSON object

${COMMON_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals, config } = parseCommand("call", argv, {
    agreement: { type: "string" }, key: { type: "string" }, arg: { type: "string", multiple: true }, "args-json": { type: "string" },
  });
  const agentId = positiveInteger(positionals[0], "<agentId>", "call");
  const toolName = positionals[1];
  if (!toolName) throw usageError("no tool named", "usage: agentry call <agentId> <tool> --agreement <id> --key <file>");
  const { payer, directory, brokerUrl } = await openPayer("call", values, config);
  const agreementId = payer.agreement.id;
  if (payer.agreement.agentId !== agentId) {
    throw new CliError(`agreement ${agreementId} is with agent ${payer.agreement.agentId}, not agent ${agentId}`, "pass the agent of the agreement, or the agreement you opened with this agent");
  }
  const tool = (await agentTools(directory, agentId).catch(() => [])).find((t) => t.name === toolName);
  if (!tool) progress(`tool ${toolName} is not in the agent's listed tools; sending it anyway`);
  const args = toolArguments((values.arg as string[] | undefined) ?? [], values["args-json"] as string | undefined, tool, "call");
  progress(`calling ${toolName} on agent ${agentId} (agreement ${agreementId}) through ${brokerUrl}`);
  const outcome = await payer.call(toolName, args);
  const result = { agreementId, calls: outcome.calls, tool: toolName, arguments: args, result: outcome.result, receipt: encodeReceipt(outcome.receipt), worker: outcome.worker };
  printResult(config, result, () => {
    const text = outcome.result.content.map((c) => (c.type === "text" && typeof c.text === "string" ? c.text : JSON.stringify(c))).join("\n");
    return [text, "", `call ${outcome.calls} of agreement ${agreementId}, served by ${outcome.worker.address} (${outcome.worker.endpoint})`, `receipt: ${JSON.stringify(encodeReceipt(outcome.receipt))}`].join("\n");
  });
  if (outcome.result.isError) process.exitCode = 1;
}
