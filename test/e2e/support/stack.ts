/**
 * The stack behind the browser tests: a real hardhat node with the contracts deployed, and the
 * dApp's production server (built once) configured for it. Started by global-setup.ts; the tests
 * find it through the environment variables below.
 */
export { E2E_DIST_DIR } from "../../../scripts/lib/web.ts";

export const E2E_ENV = {
  webUrl: "AGENTRY_E2E_WEB_URL",
  rpcUrl: "AGENTRY_E2E_RPC_URL",
} as const;

export function e2eStack(): { webUrl: string; rpcUrl: string } {
  const webUrl = process.env[E2E_ENV.webUrl];
  const rpcUrl = process.env[E2E_ENV.rpcUrl];
  if (!webUrl || !rpcUrl) throw new Error("The e2e stack is not running: run the suite through `npx playwright test` (global-setup starts it).");
  return { webUrl, rpcUrl };
}
