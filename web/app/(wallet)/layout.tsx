import type { ReactNode } from "react";
import { ConfigProblems } from "@/components/layout/config-problems";
import { SiteHeader } from "@/components/layout/site-header";
import { AccountButton } from "@/components/wallet/account-button";
import { WalletProviders } from "@/components/wallet/wallet-providers";
import { requestConfig } from "@/lib/request-config";

/** Pages that read the connected account or send transactions: the wallet stack loads here only. */
export default async function WalletLayout({ children }: { children: ReactNode }) {
  const result = await requestConfig();
  if (!result.ok) {
    return (
      <>
        <SiteHeader />
        <main id="main" tabIndex={-1} className="container">
          <ConfigProblems problems={result.problems} />
        </main>
      </>
    );
  }
  return (
    <WalletProviders config={result.config}>
      <SiteHeader account={<AccountButton />} />
      <main id="main" tabIndex={-1} className="container">
        {children}
      </main>
    </WalletProviders>
  );
}
