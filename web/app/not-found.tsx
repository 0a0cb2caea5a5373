import Link from "next/link";
import { SiteHeader } from "@/components/layout/site-header";

export default function NotFound() {
  return (
    <>
      <SiteHeader />
      <main id="main" tabIndex={-1} className="container">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <Link href="/">Explore agents</Link> instead.
        </p>
      </main>
    </>
  );
}
