import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Tests and benchmarks build into their own directory (scripts/lib/web.ts) so they never replace
  // the build a running `next start` serves.
  distDir: process.env.AGENTRY_WEB_DIST_DIR || ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  // Source maps of the browser bundles, for bundle analysis only (AGENTRY_WEB_SOURCE_MAPS=1 next build).
  productionBrowserSourceMaps: process.env.AGENTRY_WEB_SOURCE_MAPS === "1",
  // @agentry/protocol ships TypeScript sources (with .ts import specifiers), not built JavaScript.
  transpilePackages: ["@agentry/protocol"],
  // wagmi's Base connector reaches these through @base-org/account; bundling them for the server
  // fails on their optional @x402/* imports, and the server never runs them anyway.
  // secp256k1 and keccak are native (N-API) modules the broker verifies receipts with: loaded by Node, not bundled.
  serverExternalPackages: ["@base-org/account", "@coinbase/cdp-sdk", "secp256k1", "keccak"],
  turbopack: {
    // See lib/ens-unavailable.ts: keeps ENS normalization tables out of the wallet pages.
    resolveAlias: { "@adraffy/ens-normalize": { browser: "./lib/ens-unavailable.ts" } },
  },
};

export default nextConfig;
