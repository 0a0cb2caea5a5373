"use client";
import { useState } from "react";

type Source = { text: string; url?: never } | { url: string; text?: never };

/** Copies `text`, or the body of `url` (fetched on click), and says so in a live region. */
export function CopyButton({ label, ...source }: Source & { label: string }) {
  const [message, setMessage] = useState("");

  async function copy() {
    try {
      if (source.text !== undefined) {
        await navigator.clipboard.writeText(source.text);
      } else if (typeof ClipboardItem !== "undefined") {
        // A promise inside ClipboardItem keeps the user gesture alive while the file downloads (Safari).
        const blob = fetch(source.url).then((response) => {
          if (!response.ok) throw new Error(`${response.status}`);
          return response.text().then((body) => new Blob([body], { type: "text/plain" }));
        });
        await navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
      } else {
        const response = await fetch(source.url);
        await navigator.clipboard.writeText(await response.text());
      }
      setMessage("Copied");
    } catch {
      setMessage("Copy failed: select and copy by hand");
    }
    setTimeout(() => setMessage(""), 2_500);
  }

  return (
    <span className="actions">
      <button type="button" className="button button--secondary button--small" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span role="status" className="muted">
        {message}
      </span>
    </span>
  );
}
