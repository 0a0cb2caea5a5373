"use client";

/** Last-resort boundary: says something failed, offers a retry, and keeps the details for the server log. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main" tabIndex={-1} className="container">
      <div className="notice notice--error" role="alert">
        <p className="notice__title">Something went wrong</p>
        <p>This page failed to render{error.digest ? ` (reference ${error.digest})` : ""}. Try again in a moment.</p>
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
