"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export const NAV_ITEMS = [
  { href: "/", label: "Explore" },
  { href: "/register", label: "Register agent" },
  { href: "/agreements", label: "My agreements" },
  { href: "/workers", label: "Workers" },
  { href: "/developers", label: "Developers" },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** The main navigation; marks the current section with aria-current for assistive technology. */
export function NavLinks() {
  const pathname = usePathname();
  return (
    <ul>
      {NAV_ITEMS.map((item) => (
        <li key={item.href}>
          <Link href={item.href} aria-current={isCurrent(pathname, item.href) ? "page" : undefined}>
            {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
