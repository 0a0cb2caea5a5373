// AgreementEscrow: prices (terms), agreements, top-ups, session keys, redemptions and closes.
import { Address, BigInt, ethereum } from "@graphprotocol/graph-ts";
import {
  AgreementClosed,
  AgreementOpened,
  PriceSet,
  Redeemed,
  SessionKeySet,
  ToppedUp,
} from "../generated/AgreementEscrow/AgreementEscrow";
import {
  Agent,
  Agreement,
  Price,
  Redemption,
  SessionKeyChange,
  Terms,
  TopUp,
} from "../generated/schema";
import { ensureAccount, eventId } from "./common";

export function handlePriceSet(event: PriceSet): void {
  const agentId = event.params.agentId.toString();
  const token = event.params.token;
  const active = !event.params.price.isZero();
  const priceId = agentId + "-" + token.toHexString();
  let price = Price.load(priceId);
  if (price == null) {
    price = new Price(priceId);
    price.agent = agentId;
    price.token = token;
  }
  price.price = event.params.price;
  price.active = active;
  price.terms = null;
  if (active) {
    const terms = new Terms(event.params.termsId.toString());
    terms.termsId = event.params.termsId;
    terms.agent = agentId;
    terms.token = token;
    terms.price = event.params.price;
    terms.createdBlock = event.block.number;
    terms.createdTimestamp = event.block.timestamp;
    terms.save();
    price.terms = terms.id;
  }
  price.updatedBlock = event.block.number;
  price.updatedTimestamp = event.block.timestamp;
  price.save();

  if (token.equals(Address.zero())) {
    const agent = Agent.load(agentId);
    if (agent == null) return;
    agent.ethPrice = active ? event.params.price : null;
    agent.updatedBlock = event.block.number;
    agent.updatedTimestamp = event.block.timestamp;
    agent.save();
  }
}

export function handleAgreementOpened(event: AgreementOpened): void {
  const agentId = event.params.agentId.toString();
  // open() locks the agent's current terms for the token: the ones PriceSet last recorded.
  const price = Price.load(agentId + "-" + event.params.token.toHexString());
  if (price == null || price.terms == null) return;
  const client = ensureAccount(event.params.client, event);
  const agreement = new Agreement(event.params.agreementId.toString());
  agreement.agreementId = event.params.agreementId;
  agreement.agent = agentId;
  agreement.client = client.id;
  agreement.token = event.params.token;
  agreement.price = event.params.price;
  agreement.terms = price.terms!;
  agreement.deposit = event.params.deposit;
  agreement.fundedCalls = event.params.deposit.div(event.params.price);
  agreement.maxCalls = event.params.maxCalls;
  agreement.redeemedCalls = BigInt.zero();
  agreement.amountRedeemed = BigInt.zero();
  agreement.sessionKey = event.params.sessionKey;
  agreement.expiresAt = event.params.expiresAt;
  agreement.state = "OPEN";
  agreement.openedBlock = event.block.number;
  agreement.openedTimestamp = event.block.timestamp;
  agreement.openedTransaction = event.transaction.hash;
  touch(agreement, event);
  agreement.save();
}

export function handleToppedUp(event: ToppedUp): void {
  const agreement = Agreement.load(event.params.agreementId.toString());
  if (agreement == null) return;
  agreement.deposit = agreement.deposit.plus(event.params.amount);
  agreement.fundedCalls = event.params.fundedCalls;
  touch(agreement, event);
  agreement.save();

  const topUp = new TopUp(eventId(event));
  topUp.agreement = agreement.id;
  topUp.from = ensureAccount(event.params.from, event).id;
  topUp.amount = event.params.amount;
  topUp.fundedCalls = agreement.fundedCalls;
  topUp.blockNumber = event.block.number;
  topUp.timestamp = event.block.timestamp;
  topUp.transactionHash = event.transaction.hash;
  topUp.save();
}

export function handleSessionKeySet(event: SessionKeySet): void {
  const agreement = Agreement.load(event.params.agreementId.toString());
  if (agreement == null) return;
  agreement.sessionKey = event.params.sessionKey;
  touch(agreement, event);
  agreement.save();

  const change = new SessionKeyChange(eventId(event));
  change.agreement = agreement.id;
  change.sessionKey = event.params.sessionKey;
  change.previousKey = event.params.previousKey;
  change.previousValidUntil = event.params.previousValidUntil;
  change.blockNumber = event.block.number;
  change.timestamp = event.block.timestamp;
  change.transactionHash = event.transaction.hash;
  change.save();
}

export function handleRedeemed(event: Redeemed): void {
  const agreement = Agreement.load(event.params.agreementId.toString());
  if (agreement == null) return;
  const calls = event.params.calls;
  agreement.redeemedCalls = calls;
  agreement.amountRedeemed = calls.times(agreement.price);
  touch(agreement, event);
  agreement.save();

  const redemption = new Redemption(eventId(event));
  redemption.agreement = agreement.id;
  redemption.agent = event.params.agentId.toString();
  redemption.calls = calls;
  redemption.paid = event.params.paid;
  redemption.wallet = event.params.wallet;
  redemption.receiptsRoot = event.params.receiptsRoot;
  redemption.submitter = event.transaction.from;
  redemption.blockNumber = event.block.number;
  redemption.timestamp = event.block.timestamp;
  redemption.transactionHash = event.transaction.hash;
  redemption.save();
}

export function handleAgreementClosed(event: AgreementClosed): void {
  const agreement = Agreement.load(event.params.agreementId.toString());
  if (agreement == null) return;
  agreement.state = "CLOSED";
  agreement.closedBy = event.params.closedBy;
  agreement.refund = event.params.refund;
  agreement.closedTimestamp = event.block.timestamp;
  agreement.redeemedCalls = event.params.redeemedCalls;
  touch(agreement, event);
  agreement.save();
}

function touch(agreement: Agreement, event: ethereum.Event): void {
  agreement.updatedBlock = event.block.number;
  agreement.updatedTimestamp = event.block.timestamp;
}
