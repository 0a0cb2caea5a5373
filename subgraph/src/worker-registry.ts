// WorkerRegistry: workers and their attestations, validators and validations, and each agent's
// approved workers and pinned measurements.
import { ethereum } from "@graphprotocol/graph-ts";
import {
  MeasurementPinSet,
  ValidationRevoked,
  ValidatorSet,
  WorkerApprovalSet,
  WorkerAttestationUpdated,
  WorkerEndpointUpdated,
  WorkerRegistered,
  WorkerRetired,
  WorkerValidated,
} from "../generated/WorkerRegistry/WorkerRegistry";
import { MeasurementPin, Validation, Validator, Worker, WorkerApproval } from "../generated/schema";
import { ensureAccount, eventId } from "./common";

/** WorkerRegistry.TeeType, in declaration order. */
const TEE_TYPES = ["DEV", "SGX", "TDX", "NITRO"];

export function handleWorkerRegistered(event: WorkerRegistered): void {
  const worker = new Worker(event.params.worker);
  worker.operator = ensureAccount(event.params.operator, event).id;
  const tee = event.params.teeType;
  worker.teeType = tee < TEE_TYPES.length ? TEE_TYPES[tee] : "DEV";
  worker.measurement = event.params.measurement;
  worker.evidenceURI = event.params.evidenceURI;
  worker.endpoint = event.params.endpoint;
  worker.expiresAt = event.params.expiresAt;
  worker.retired = false;
  worker.validation = null;
  worker.registeredBlock = event.block.number;
  worker.registeredTimestamp = event.block.timestamp;
  touch(worker, event);
  worker.save();
}

export function handleWorkerAttestationUpdated(event: WorkerAttestationUpdated): void {
  const worker = Worker.load(event.params.worker);
  if (worker == null) return;
  // The validation it had was cleared by the ValidationRevoked event emitted just before.
  worker.measurement = event.params.measurement;
  worker.evidenceURI = event.params.evidenceURI;
  worker.expiresAt = event.params.expiresAt;
  touch(worker, event);
  worker.save();
}

export function handleWorkerEndpointUpdated(event: WorkerEndpointUpdated): void {
  const worker = Worker.load(event.params.worker);
  if (worker == null) return;
  worker.endpoint = event.params.endpoint;
  touch(worker, event);
  worker.save();
}

export function handleWorkerRetired(event: WorkerRetired): void {
  const worker = Worker.load(event.params.worker);
  if (worker == null) return;
  worker.retired = true;
  touch(worker, event);
  worker.save();
}

export function handleValidatorSet(event: ValidatorSet): void {
  ensureAccount(event.params.validator, event);
  let validator = Validator.load(event.params.validator);
  if (validator == null) validator = new Validator(event.params.validator);
  validator.allowed = event.params.allowed;
  validator.updatedBlock = event.block.number;
  validator.updatedTimestamp = event.block.timestamp;
  validator.save();
}

export function handleWorkerValidated(event: WorkerValidated): void {
  const worker = Worker.load(event.params.worker);
  if (worker == null) return;
  const validation = new Validation(eventId(event));
  validation.worker = worker.id;
  validation.validator = event.params.validator;
  validation.measurement = event.params.measurement;
  validation.expiresAt = event.params.expiresAt;
  validation.revoked = false;
  validation.validatedBlock = event.block.number;
  validation.validatedTimestamp = event.block.timestamp;
  validation.save();
  // A new validation replaces the previous one on-chain.
  worker.validation = validation.id;
  touch(worker, event);
  worker.save();
}

export function handleValidationRevoked(event: ValidationRevoked): void {
  const worker = Worker.load(event.params.worker);
  if (worker == null || worker.validation == null) return;
  const validation = Validation.load(worker.validation!);
  if (validation != null) {
    validation.revoked = true;
    validation.revokedBy = event.params.revokedBy;
    validation.revokedTimestamp = event.block.timestamp;
    validation.save();
  }
  worker.validation = null;
  touch(worker, event);
  worker.save();
}

export function handleWorkerApprovalSet(event: WorkerApprovalSet): void {
  // Disapproving an unregistered key is allowed on-chain and changes nothing worth recording.
  if (Worker.load(event.params.worker) == null) return;
  const id = event.params.agentId.toString() + "-" + event.params.worker.toHexString();
  let approval = WorkerApproval.load(id);
  if (approval == null) {
    approval = new WorkerApproval(id);
    approval.agent = event.params.agentId.toString();
    approval.worker = event.params.worker;
  }
  approval.approved = event.params.approved;
  approval.updatedBlock = event.block.number;
  approval.updatedTimestamp = event.block.timestamp;
  approval.save();
}

export function handleMeasurementPinSet(event: MeasurementPinSet): void {
  const id = event.params.agentId.toString() + "-" + event.params.measurement.toHexString();
  let pin = MeasurementPin.load(id);
  if (pin == null) {
    pin = new MeasurementPin(id);
    pin.agent = event.params.agentId.toString();
    pin.measurement = event.params.measurement;
  }
  pin.pinned = event.params.pinned;
  pin.updatedBlock = event.block.number;
  pin.updatedTimestamp = event.block.timestamp;
  pin.save();
}

function touch(worker: Worker, event: ethereum.Event): void {
  worker.updatedBlock = event.block.number;
  worker.updatedTimestamp = event.block.timestamp;
}
