import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { RequireWallet } from "@/components/wallet/require-wallet";

export const metadata: Metadata = { title: "Workers" };

export default function WorkersPage() {
  return (
    <>
      <PageHeader title="Workers">
        <p>Worker nodes run the tools inside a TEE and sign a receipt for every call. Register a worker and follow its validation.</p>
      </PageHeader>
      <RequireWallet purpose="Workers are registered by their operator's wallet.">
        <div className="empty-state">
          <h2>No workers to show</h2>
          <p>Start a worker node (<code>npm run worker</code>) to register one.</p>
        </div>
      </RequireWallet>
    </>
  );
}
