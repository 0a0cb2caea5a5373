/** Small helpers shared by the project's scripts: argument parsing, steps, child processes. */
import { spawn, type SpawnOptions } from "node:child_process";
import { ROOT } from "./paths.ts";

/** `--name value` or `--name=value` from argv. */
export function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

export function hasFlag(argv: readonly string[], name: string): boolean {
  return argv.includes(`--${name}`);
}

let stepNumber = 0;
/** Prints a numbered progress step. */
export function step(message: string): void {
  stepNumber += 1;
  console.log(`\n[${stepNumber}] ${message}`);
}

/** Runs a command from the repository root, streaming its output; rejects on a non-zero exit. */
export function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: "inherit", ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}
