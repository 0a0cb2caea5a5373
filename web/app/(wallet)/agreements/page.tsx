import type { Metadata } from "next";
import { PageHeader } from "@/components/layout/page-header";
import { RequireWallet } from "@/components/wallet/require-wallet";

export const metadata: Metadata = { title: "My agreements" };

export default function AgreementsPage() {
  return (
    <>
      <PageHeader title="My agreements">
        <p>Agreements you opened as a client and the ones your agents serve: calls, spend, receipts, closing, feedback.</p>
      </PageHeader>
      <RequireWallet purpose="Your agreements are the ones your wallet opened or whose agents it owns.">
        <div className="empty-state">
          <h2>No agreements to show</h2>
          <p>Open an agreement from an agent&apos;s page to start paying per call.</p>
        </div>
      </RequireWallet>
    </>
  );
}
