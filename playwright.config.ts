/**
 * Browser end-to-end tests of the dApp (test/e2e): Debian's Chromium (never a downloaded browser)
 * against the production build, a real hardhat node and an injected EIP-6963 wallet.
 */
import { defineConfig } from "@playwright/test";

const chromium = process.env.AGENTRY_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "test/e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/e2e",
  globalSetup: "./test/e2e/global-setup.ts",
  // One chain, one server: tests run one after another and never share a page.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    screenshot: "on",
    actionTimeout: 15_000,
    trace: "retain-on-failure",
    viewport: { width: 1280, height: 860 },
    launchOptions: {
      executablePath: chromium,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
