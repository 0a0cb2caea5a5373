import type { ReactNode } from "react";
import { SiteHeader } from "@/components/layout/site-header";

/** Public pages: rendered on the server, no wallet JavaScript. */
export default function PublicLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SiteHeader />
      <main id="main" tabIndex={-1} className="container">
        {children}
      </main>
    </>
  );
}
