/**
 * The register wizard's progress, kept in localStorage per chain and account so a provider who
 * leaves halfway continues where they stopped. Stored values are only hints: the wizard re-checks on
 * the chain what each one claims (the agent's owner and URI, its price) before trusting it.
 */
import type { Address } from "viem";
import { EMPTY_DRAFT, type RegistrationDraft } from "@/lib/registration-draft";

export const WIZARD_STEPS = ["file", "upload", "mint", "price", "workers"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

export const STEP_TITLES: Record<WizardStep, string> = {
  file: "Registration file",
  upload: "Upload",
  mint: "Mint",
  price: "Price",
  workers: "Workers",
};

export interface WizardState {
  draft: RegistrationDraft;
  /** The uploaded file: its JSON (to notice later edits), CID and ipfs:// URI. */
  upload: { json: string; cid: string; uri: string } | null;
  /** Decimal agent id once minted. */
  agentId: string | null;
  /** The step the user left explicitly (the file form), so a reload does not skip a review. */
  fileConfirmed: boolean;
  priceSet: boolean;
  workersDone: boolean;
}

export const INITIAL_STATE: WizardState = { draft: EMPTY_DRAFT, upload: null, agentId: null, fileConfirmed: false, priceSet: false, workersDone: false };

export const storageKey = (chainId: number, account: Address) => `agentry.register.${chainId}.${account.toLowerCase()}`;

function isState(value: unknown): value is WizardState {
  if (typeof value !== "object" || value === null) return false;
  const state = value as Partial<WizardState>;
  return typeof state.draft === "object" && state.draft !== null && Array.isArray(state.draft.tools) && typeof state.fileConfirmed === "boolean";
}

export function loadWizard(key: string): WizardState {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? "null") as unknown;
    return isState(stored) ? { ...INITIAL_STATE, ...stored } : INITIAL_STATE;
  } catch {
    return INITIAL_STATE; // unreadable storage: start over rather than fail
  }
}

export function saveWizard(key: string, state: WizardState): void {
  try {
    localStorage.setItem(key, JSON.stringify(state));
  } catch {
    // Storage full or disabled: the wizard still works, it just cannot resume.
  }
}

export function firstUnfinishedStep(state: WizardState): WizardStep | "done" {
  if (!state.fileConfirmed) return "file";
  if (!state.upload) return "upload";
  if (!state.agentId) return "mint";
  if (!state.priceSet) return "price";
  if (!state.workersDone) return "workers";
  return "done";
}
