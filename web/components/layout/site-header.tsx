import Link from "next/link";
import type { ReactNode } from "react";
import { NavLinks } from "./nav-links";

/** Site header; `account` is the wallet area, rendered only by layouts that load the wallet stack. */
export function SiteHeader({ account }: { account?: ReactNode }) {
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <Link href="/" className="brand" aria-label="Agentry, home">
          Agent<span>ry</span>
        </Link>
        <nav className="site-nav" aria-label="Main">
          <NavLinks />
        </nav>
        {account ? <div className="site-header__account">{account}</div> : null}
      </div>
    </header>
  );
}
