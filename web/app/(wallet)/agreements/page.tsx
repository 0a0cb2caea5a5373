import type { Metadata } from "next";
import { MyAgreements } from "@/components/agreements/my-agreements";
import { PageHeader } from "@/components/layout/page-header";
import { RequireWallet } from "@/components/wallet/require-wallet";

export const metadata: Metadata = { title: "My agreements" };

export default function AgreementsPage() {
  return (
    <>
      <PageHeader title="My agreements">
        <p>Agreements you opened as a client and the ones your agents serve: calls, spend, closing, feedback.</p>
      </PageHeader>
      <RequireWallet purpose="Your agreements are the ones your wallet opened or whose agents it owns.">
        <MyAgreements />
      </RequireWallet>
    </>
  );
}
