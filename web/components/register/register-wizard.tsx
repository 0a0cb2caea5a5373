"use client";
import { useEffect, useMemo, useState } from "react";
import type { PublicClient } from "viem";
import { useAccount, usePublicClient } from "wagmi";
import { usePublicConfig } from "@/components/wallet/public-config";
import { registrationFileOf, suggestedPriceEth, validateDraft } from "@/lib/registration-draft";
import { FileStep } from "./file-step";
import { MintStep } from "./mint-step";
import { PriceStep } from "./price-step";
import { UploadStep } from "./upload-step";
import { verifyProgress } from "./verify-progress";
import { firstUnfinishedStep, loadWizard, saveWizard, STEP_TITLES, storageKey, WIZARD_STEPS, type WizardState } from "./wizard-state";
import { WorkersStep } from "./workers-step";

type Loaded = { status: "checking" } | { status: "ready"; state: WizardState } | { status: "failed"; message: string };

/**
 * Registers an agent in five steps (file, upload, mint, price, workers). Progress is saved per
 * account after every change and verified on the chain when the page opens, so leaving halfway and
 * coming back continues at the first unfinished step.
 */
export function RegisterWizard() {
  const config = usePublicConfig();
  const { address } = useAccount();
  const client = usePublicClient({ chainId: config.chainId }) as PublicClient | undefined;
  const key = address ? storageKey(config.chainId, address) : null;
  const [loaded, setLoaded] = useState<Loaded>({ status: "checking" });

  useEffect(() => {
    if (!key || !address || !client) return;
    let cancelled = false;
    setLoaded({ status: "checking" });
    verifyProgress(client, config, address, loadWizard(key))
      .then((state) => !cancelled && setLoaded({ status: "ready", state }))
      .catch((error: Error) => !cancelled && setLoaded({ status: "failed", message: `Could not check your progress on the chain: ${error.message}` }));
    return () => {
      cancelled = true;
    };
  }, [key, address, client, config]);

  const state = loaded.status === "ready" ? loaded.state : null;
  const json = useMemo(
    () => (state && Object.keys(validateDraft(state.draft)).length === 0 ? JSON.stringify(registrationFileOf(state.draft), null, 2) : null),
    [state],
  );

  if (loaded.status === "checking") {
    return (
      <p className="card" role="status">
        <span className="spinner" aria-hidden="true" /> Checking your registration progress…
      </p>
    );
  }
  if (loaded.status === "failed" || !state || !key) {
    return <p className="notice notice--error" role="alert">{loaded.status === "failed" ? loaded.message : "Connect a wallet first."}</p>;
  }

  const update = (next: Partial<WizardState>) => {
    const merged = { ...state, ...next };
    saveWizard(key, merged);
    setLoaded({ status: "ready", state: merged });
  };
  const step = firstUnfinishedStep(state);
  const agentId = state.agentId ? BigInt(state.agentId) : null;

  return (
    <div className="stack">
      <ol className="tx-status__steps" aria-label="Registration steps" data-testid="wizard-steps">
        {WIZARD_STEPS.map((name, index) => {
          const current = step === "done" ? WIZARD_STEPS.length : WIZARD_STEPS.indexOf(step);
          return (
            <li key={name} data-state={index < current ? "done" : index === current ? "current" : "todo"} aria-current={index === current ? "step" : undefined}>
              {index + 1}. {STEP_TITLES[name]}
            </li>
          );
        })}
      </ol>
      {agentId !== null ? (
        <p className="notice notice--ok" data-testid="registered-agent-id">
          Agent <strong>#{agentId.toString()}</strong> is registered to your wallet.
        </p>
      ) : null}
      <section className="card" aria-labelledby="wizard-step-heading">
        <h2 id="wizard-step-heading">{step === "done" ? "All done" : STEP_TITLES[step]}</h2>
        {step === "file" ? (
          <FileStep
            draft={state.draft}
            onChange={(draft) => update({ draft })}
            onContinue={() => update({ fileConfirmed: true, upload: state.upload?.json === json ? state.upload : null })}
          />
        ) : step === "upload" && json ? (
          <>
            <UploadStep json={json} onUploaded={(uploaded) => update({ upload: { json, ...uploaded } })} />
            <button type="button" className="button button--secondary" onClick={() => update({ fileConfirmed: false })}>
              Edit the file
            </button>
          </>
        ) : step === "mint" && state.upload ? (
          <>
            <p>
              Uploaded as <span className="address" data-testid="registration-cid">{state.upload.cid}</span>.
            </p>
            <MintStep uri={state.upload.uri} onMinted={(id) => update({ agentId: id.toString() })} />
            <button type="button" className="button button--secondary" onClick={() => update({ fileConfirmed: false })}>
              Edit the file
            </button>
          </>
        ) : step === "price" && agentId !== null ? (
          <PriceStep agentId={agentId} suggested={suggestedPriceEth(state.draft)} onPriced={() => update({ priceSet: true })} />
        ) : step === "workers" && agentId !== null ? (
          <WorkersStep agentId={agentId} onDone={() => update({ workersDone: true })} />
        ) : step === "done" && agentId !== null ? (
          <div className="stack">
            <p>Your agent is registered, priced and ready for clients once an approved worker serves it.</p>
            <div className="actions">
              <a className="button" href={`/agents/${agentId.toString()}`}>
                View agent #{agentId.toString()}
              </a>
              <button type="button" className="button button--secondary" onClick={() => update({ workersDone: false })}>
                Manage workers
              </button>
              <button
                type="button"
                className="button button--secondary"
                onClick={() => {
                  localStorage.removeItem(key);
                  setLoaded({ status: "ready", state: loadWizard(key) });
                }}
              >
                Register another agent
              </button>
            </div>
          </div>
        ) : (
          // The draft became invalid after it was confirmed (e.g. stored by an older version): back to the form.
          <button type="button" className="button" onClick={() => update({ fileConfirmed: false })}>
            Review the registration file
          </button>
        )}
      </section>
    </div>
  );
}
