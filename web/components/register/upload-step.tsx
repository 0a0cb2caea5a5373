"use client";
import { useState } from "react";

interface Uploaded {
  cid: string;
  uri: string;
}

function isUploaded(value: unknown): value is Uploaded {
  return typeof value === "object" && value !== null && typeof (value as Uploaded).cid === "string" && typeof (value as Uploaded).uri === "string";
}

/** Error bodies of the dApp's API routes: { error, reason, hint }. */
function describeFailure(status: number, body: unknown): string {
  if (typeof body === "object" && body !== null && "reason" in body) {
    const { reason, hint } = body as { reason?: unknown; hint?: unknown };
    return [reason, hint].filter((part) => typeof part === "string").join(" — ");
  }
  return `The content store answered HTTP ${status}.`;
}

/** Step 2: publishes the file to the content store (POST /api/ipfs), which re-validates it. */
export function UploadStep({ json, onUploaded }: { json: string; onUploaded: (uploaded: Uploaded) => void }) {
  const [state, setState] = useState<{ status: "idle" | "uploading" } | { status: "failed"; message: string }>({ status: "idle" });

  async function upload() {
    setState({ status: "uploading" });
    try {
      const response = await fetch("/api/ipfs", { method: "POST", headers: { "content-type": "application/json" }, body: json });
      const body = (await response.json().catch(() => null)) as unknown;
      if (!response.ok || !isUploaded(body)) {
        setState({ status: "failed", message: describeFailure(response.status, body) });
        return;
      }
      setState({ status: "idle" });
      onUploaded({ cid: body.cid, uri: body.uri });
    } catch (error) {
      setState({ status: "failed", message: `Could not reach the content store: ${(error as Error).message}. Check your connection and retry.` });
    }
  }

  return (
    <div className="stack">
      <p className="muted">The file is stored by content address: its CID changes if you edit it later.</p>
      <details>
        <summary>The registration file</summary>
        <pre className="code-block" data-testid="registration-json">{json}</pre>
      </details>
      <button type="button" className="button" onClick={upload} disabled={state.status === "uploading"}>
        {state.status === "uploading" ? "Uploading…" : "Upload the registration file"}
      </button>
      {state.status === "failed" ? (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">Upload failed</p>
          <p>{state.message}</p>
        </div>
      ) : null}
    </div>
  );
}
