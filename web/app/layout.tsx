import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Agentry — an open marketplace for AI tools", template: "%s · Agentry" },
  description:
    "Find AI tools (MCP servers), pay per call through escrowed agreements, and get a signed receipt from a TEE-attested worker for every call.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#171a21" },
  ],
};

/**
 * The root layout stays free of client state: the wallet stack lives in the (wallet) route group's
 * layout, so public pages ship no wallet JavaScript.
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {children}
        <footer className="site-footer">
          <div className="container">
            Agentry: ERC-8004 agents, escrowed pay-per-call agreements, TEE-attested workers. Open source, MIT licence.
          </div>
        </footer>
      </body>
    </html>
  );
}
