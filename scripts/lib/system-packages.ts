/**
 * Debian packages some suites need (Chromium for the browser tests, ipfs-cid for the independent CID
 * cross-check). `npm test` installs the missing ones itself when it may (root with apt-get, as on
 * CI); otherwise it stops with the exact command to run.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { run } from "./cli.ts";

export interface SystemPackage {
  /** The executable the package provides (absolute path or a name looked up on PATH). */
  executable: string;
  /** Debian packages to install when it is missing. */
  packages: string[];
}

export const TEST_SYSTEM_PACKAGES: SystemPackage[] = [
  { executable: "/usr/bin/chromium", packages: ["chromium", "fonts-noto-color-emoji"] },
  { executable: "ipfs_cid", packages: ["ipfs-cid"] },
];

function isAvailable(executable: string): boolean {
  if (executable.startsWith("/")) return existsSync(executable);
  return spawnSync("sh", ["-c", `command -v ${executable}`], { stdio: "ignore" }).status === 0;
}

export async function ensureSystemPackages(required: SystemPackage[] = TEST_SYSTEM_PACKAGES): Promise<void> {
  const missing = required.filter((p) => !isAvailable(p.executable)).flatMap((p) => p.packages);
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && isAvailable("apt-get");
  if (!canInstall) {
    throw new Error(`missing Debian packages: ${missing.join(", ")}. Install them with: sudo apt-get install -y ${missing.join(" ")}`);
  }
  console.log(`    installing Debian packages: ${missing.join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (spawnSync("apt-get", ["install", "-y", ...missing], { stdio: "ignore", env }).status !== 0) {
    // A fresh CI image has no package lists yet.
    await run("apt-get", ["update"], { env });
    await run("apt-get", ["install", "-y", ...missing], { env });
  }
}
