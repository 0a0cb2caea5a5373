"use client";
import { ConnectButton } from "@rainbow-me/rainbowkit";

/** The header's wallet control: connect, current account, wrong-network warning. */
export function AccountButton() {
  return <ConnectButton accountStatus={{ smallScreen: "avatar", largeScreen: "address" }} chainStatus="icon" showBalance={false} />;
}
