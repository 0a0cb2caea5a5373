/** The project's content store (protocol/src/content/store.ts) as the runner's file source. */
import { openContentStore } from "@agentry/protocol/content-store";
import type { ContentSource } from "./indexer.ts";

export async function contentStoreSource(directory: string): Promise<{ content: ContentSource; close(): Promise<void> }> {
  const store = await openContentStore(directory);
  return { content: (cid) => store.get(cid), close: () => store.close() };
}
