#!/usr/bin/env node
/** `agentry`: the command-line client of Agentry. `agentry --help` lists the commands. */
import * as agents from "./commands/agents.ts";
import * as call from "./commands/call.ts";
import * as deploy from "./commands/deploy.ts";
import * as mcp from "./commands/mcp.ts";
import * as open from "./commands/open.ts";
import * as receipts from "./commands/receipts.ts";
import { CliError, toJson } from "./output.ts";

interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = { agents, open, call, mcp, receipts, deploy };

const USAGE = `agentry <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join("\n")}

Run \`agentry <command> --help\` for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`agentry: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return 0;
  }
  try {
    await command.run(rest);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const known = error instanceof CliError;
    const message = known ? error.message : `unexpected error: ${(error as Error).stack ?? String(error)}`;
    const hint = known ? error.hint : "this is a bug in agentry; please report it with the command you ran";
    if (rest.includes("--json")) console.log(toJson({ error: message, hint }));
    console.error(`agentry ${name}: ${message}\n  → ${hint}`);
    return known ? error.exitCode : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
