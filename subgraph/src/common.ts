// Helpers every mapping shares: accounts and the ids of event-record entities.
import { Address, ethereum } from "@graphprotocol/graph-ts";
import { Account } from "../generated/schema";

/** Records an address the first time it appears (Account is immutable: created once). */
export function ensureAccount(address: Address, event: ethereum.Event): Account {
  let account = Account.load(address);
  if (account == null) {
    account = new Account(address);
    account.firstSeenBlock = event.block.number;
    account.firstSeenTimestamp = event.block.timestamp;
    account.save();
  }
  return account;
}

/** Id of an entity that records one event: transaction hash-log index. */
export function eventId(event: ethereum.Event): string {
  return event.transaction.hash.toHexString() + "-" + event.logIndex.toString();
}
