/**
 * `npm run bench:web`: the dApp's initial JavaScript per page, from the production build. Builds
 * web/ (into web/.next-bench, when its sources changed or with --rebuild), serves it with
 * `next start`, and for each page sums the gzip size of every script file the server-rendered HTML
 * references (what a browser must download before the page is interactive; chunks loaded later on
 * demand are not counted). Writes its section of BENCHMARKS.md and fails when a page is over budget.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { writeBenchmarkSection } from "./lib/benchmarks.ts";
import { hasFlag, step } from "./lib/cli.ts";
import { LOCAL_STATE_DIR } from "./lib/paths.ts";
import { PAGE_BUDGETS, buildWeb, initialScripts, startWeb, webBuildIsStale, type DistDir, type PageScripts } from "./lib/web.ts";

const DIST_DIR: DistDir = ".next-bench";
const kB = (bytes: number) => (bytes / 1024).toFixed(1);

async function main() {
  mkdirSync(LOCAL_STATE_DIR, { recursive: true });
  if (hasFlag(process.argv, "rebuild") || (await webBuildIsStale(DIST_DIR))) {
    step(`Building the dApp (next build into web/${DIST_DIR})`);
    await buildWeb(DIST_DIR);
  } else {
    step(`web/${DIST_DIR} is up to date with the sources (--rebuild to build anyway)`);
  }

  step("Measuring each page's initial JavaScript from the production server's HTML");
  // Rendering these pages reads the configuration but never contacts the chain.
  const web = await startWeb(
    { AGENTRY_RPC_URL: "http://127.0.0.1:9", AGENTRY_CHAIN_ID: "31337" },
    { distDir: DIST_DIR, logFile: path.join(LOCAL_STATE_DIR, "bench-web.log") },
  );
  const results: { page: (typeof PAGE_BUDGETS)[number]; scripts: PageScripts }[] = [];
  try {
    for (const page of PAGE_BUDGETS) results.push({ page, scripts: await initialScripts(web.url, page.path, DIST_DIR) });
  } finally {
    await web.stop();
  }

  const over = results.filter((r) => r.scripts.gzipBytes > r.page.budget);
  const table = [
    "| Page | Path | Wallet stack | Script files | Raw | Gzip | Budget (gzip) | |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...results.map(
      ({ page, scripts }) =>
        `| ${page.name} | \`${page.path}\` | ${page.kind === "wallet" ? "yes" : "no"} | ${scripts.files.length} | ${kB(scripts.bytes)} kB | **${kB(scripts.gzipBytes)} kB** | ${kB(page.budget)} kB | ${scripts.gzipBytes <= page.budget ? "within" : "**over**"} |`,
    ),
  ];
  console.log(`\n${table.join("\n")}\n`);

  const explore = results.find((r) => r.page.path === "/")!.scripts.gzipBytes;
  const wallet = Math.max(...results.filter((r) => r.page.kind === "wallet").map((r) => r.scripts.gzipBytes));
  await writeBenchmarkSection("web", "dApp initial JavaScript (npm run bench:web)", "npm run bench:web", [
    "Initial JavaScript of each page of the production build (`next build`, Turbopack): the sum of the",
    "script files referenced by the HTML that `next start` renders, gzip level 6. `nomodule` polyfills",
    "(skipped by every module-capable browser) and chunks loaded on demand (the development wallet's",
    "signer, the all-contracts error table, RainbowKit's locale and wallet icons) are not counted.",
    "Nor is the playground's tool form generator (react-jsonschema-form with its Ajv validator,",
    "web/components/agent/tool-form.tsx): the agent page loads it when the playground first shows a form.",
    "",
    ...table,
    "",
    `The heaviest wallet page carries ${kB(wallet - explore)} kB more than Explore: the wallet stack (wagmi,`,
    "RainbowKit, React Query, viem actions) and the page's own forms; the stack loads only in the",
    "(wallet) route group. Two choices keep it",
    "within budget: ENS normalization tables are aliased out of the browser build (the dApp's chains",
    "never include mainnet, web/lib/ens-unavailable.ts) and client forms validate without zod.",
  ]);
  if (over.length > 0) throw new Error(`over budget: ${over.map((r) => `${r.page.path} ${kB(r.scripts.gzipBytes)} kB > ${kB(r.page.budget)} kB`).join(", ")}`);
}

try {
  await main();
} catch (error) {
  console.error(`\nbench:web failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
