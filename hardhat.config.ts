import { createRequire } from "node:module";
import { defineConfig, configVariable } from "hardhat/config";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";

// solc comes from npm (solc-js), so compiling never downloads a compiler. The version Hardhat is
// told must be the package's real version: a mismatch would be silent.
const require = createRequire(import.meta.url);
const solcVersion: string = require("solc/package.json").version;
const solcPath = require.resolve("solc/soljson.js");

/** What ships is what is tested and measured: the same settings for tests and deployments. */
const compiler = {
  version: solcVersion,
  path: solcPath,
  settings: {
    evmVersion: "cancun",
    viaIR: true,
    optimizer: { enabled: true, runs: 10_000 },
  },
};

/** Remote networks take their RPC URL and deployer key from env vars or Hardhat's keystore. */
function remoteNetwork(chainId: number, rpcVar: string) {
  return {
    type: "http" as const,
    chainType: "l1" as const,
    chainId,
    url: configVariable(rpcVar),
    accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
  };
}

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: compiler,
      // One compilation rather than one per file (Hardhat's production default), so a deployment
      // reuses the test build instead of recompiling every contract.
      production: { ...compiler, isolated: false },
    },
  },
  paths: {
    tests: {
      solidity: "./test/contracts",
      nodejs: "./test/contracts",
    },
  },
  test: {
    solidity: {
      fuzz: { runs: 512 },
      invariant: { runs: 64, depth: 128, failOnRevert: false },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.AGENTRY_RPC_URL ?? "http://127.0.0.1:8545",
    },
    sepolia: remoteNetwork(11155111, "SEPOLIA_RPC_URL"),
    baseSepolia: remoteNetwork(84532, "BASE_SEPOLIA_RPC_URL"),
  },
  ignition: {
    blockPollingInterval: 100,
  },
});
