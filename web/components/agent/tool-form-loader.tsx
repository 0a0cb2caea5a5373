"use client";
/**
 * Loads the generated tool form (tool-form.tsx: the form library and its validator) when the
 * playground first shows a form, so neither counts in the agent page's initial JavaScript.
 */
import { useEffect, useState, type ComponentType } from "react";
import type { ToolFormProps } from "./tool-form";

type Loading = { state: "loading" } | { state: "ready"; ToolForm: ComponentType<ToolFormProps> } | { state: "failed"; message: string };

/** Once loaded, later forms (another tool, a remount) render at once instead of flashing the loading state. */
let loadedToolForm: ComponentType<ToolFormProps> | null = null;

export function LazyToolForm(props: ToolFormProps) {
  const [loading, setLoading] = useState<Loading>(() => (loadedToolForm ? { state: "ready", ToolForm: loadedToolForm } : { state: "loading" }));
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (loadedToolForm) return;
    let current = true;
    import("./tool-form").then(
      (module) => {
        loadedToolForm = module.default;
        if (current) setLoading({ state: "ready", ToolForm: module.default });
      },
      (error: unknown) => current && setLoading({ state: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  if (loading.state === "ready") return <loading.ToolForm {...props} />;
  if (loading.state === "failed") {
    return (
      <div className="notice notice--error" role="alert">
        <p className="notice__title">The tool&apos;s form could not be loaded</p>
        <p>{loading.message}. Check the connection to this site, then try again.</p>
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={() => {
            setLoading({ state: "loading" });
            setAttempt((n) => n + 1);
          }}
        >
          Try again
        </button>
      </div>
    );
  }
  return (
    <p role="status" className="muted" data-testid="tool-form-loading">
      <span className="spinner" aria-hidden="true" /> Loading the tool&apos;s form…
    </p>
  );
}
