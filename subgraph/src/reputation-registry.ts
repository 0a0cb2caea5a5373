// ReputationRegistry (ERC-8004 reputation): feedback, revocations, verification and responses.
import { Address, BigInt, ethereum } from "@graphprotocol/graph-ts";
import {
  FeedbackRevoked,
  FeedbackVerified,
  NewFeedback,
  ResponseAppended,
} from "../generated/ReputationRegistry/ReputationRegistry";
import { Feedback, FeedbackResponse } from "../generated/schema";
import { ensureAccount, eventId } from "./common";

function feedbackId(agentId: BigInt, client: Address, index: BigInt): string {
  return agentId.toString() + "-" + client.toHexString() + "-" + index.toString();
}

export function handleNewFeedback(event: NewFeedback): void {
  const feedback = new Feedback(
    feedbackId(event.params.agentId, event.params.clientAddress, event.params.feedbackIndex),
  );
  feedback.agent = event.params.agentId.toString();
  feedback.client = ensureAccount(event.params.clientAddress, event).id;
  feedback.feedbackIndex = event.params.feedbackIndex;
  feedback.value = event.params.value;
  feedback.valueDecimals = event.params.valueDecimals;
  feedback.tag1 = event.params.tag1;
  feedback.tag2 = event.params.tag2;
  feedback.endpoint = event.params.endpoint;
  feedback.feedbackURI = event.params.feedbackURI;
  feedback.feedbackHash = event.params.feedbackHash;
  feedback.revoked = false;
  feedback.verified = false;
  feedback.createdBlock = event.block.number;
  feedback.createdTimestamp = event.block.timestamp;
  feedback.createdTransaction = event.transaction.hash;
  touch(feedback, event);
  feedback.save();
}

export function handleFeedbackRevoked(event: FeedbackRevoked): void {
  const feedback = Feedback.load(
    feedbackId(event.params.agentId, event.params.clientAddress, event.params.feedbackIndex),
  );
  if (feedback == null) return;
  feedback.revoked = true;
  touch(feedback, event);
  feedback.save();
}

export function handleFeedbackVerified(event: FeedbackVerified): void {
  const feedback = Feedback.load(
    feedbackId(event.params.agentId, event.params.clientAddress, event.params.feedbackIndex),
  );
  if (feedback == null) return;
  feedback.verified = true;
  feedback.verifiedBy = event.params.agreementId.toString();
  touch(feedback, event);
  feedback.save();
}

export function handleResponseAppended(event: ResponseAppended): void {
  const response = new FeedbackResponse(eventId(event));
  response.feedback = feedbackId(
    event.params.agentId,
    event.params.clientAddress,
    event.params.feedbackIndex,
  );
  response.responder = ensureAccount(event.params.responder, event).id;
  response.responseURI = event.params.responseURI;
  response.responseHash = event.params.responseHash;
  response.blockNumber = event.block.number;
  response.timestamp = event.block.timestamp;
  response.transactionHash = event.transaction.hash;
  response.save();
}

function touch(feedback: Feedback, event: ethereum.Event): void {
  feedback.updatedBlock = event.block.number;
  feedback.updatedTimestamp = event.block.timestamp;
}
