import type { Metadata } from "next";
import { MintAgent } from "@/components/agents/mint-agent";
import { SetAgentUri } from "@/components/agents/set-agent-uri";
import { PageHeader } from "@/components/layout/page-header";
import { RegisterWizard } from "@/components/register/register-wizard";
import { RequireWallet } from "@/components/wallet/require-wallet";

export const metadata: Metadata = { title: "Register an agent" };

export default function RegisterPage() {
  return (
    <>
      <PageHeader title="Register an agent">
        <p>Offer your MCP server&apos;s tools on Agentry: your agent is an on-chain identity that your wallet owns.</p>
      </PageHeader>
      <RequireWallet purpose="Registering an agent mints an ERC-8004 identity owned by your wallet.">
        <div className="stack">
          <RegisterWizard />
          <h2>Agents you already have</h2>
          <SetAgentUri />
          <MintAgent />
        </div>
      </RequireWallet>
    </>
  );
}
