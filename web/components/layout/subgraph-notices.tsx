import type { SubgraphError } from "@agentry/protocol";

/** Shown when AGENTRY_SUBGRAPH_URL is not set: `reader` says which page needs the index. */
export function NoSubgraphNotice({ reader }: { reader: string }) {
  return (
    <div className="notice notice--warn" role="status">
      <p className="notice__title">No index configured</p>
      <p>{reader} from the Agentry subgraph. Set AGENTRY_SUBGRAPH_URL for the server to show them.</p>
    </div>
  );
}

/** Shown when the subgraph did not answer a page's query. */
export function SubgraphUnavailableNotice({ error }: { error: SubgraphError }) {
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">The index is unavailable</p>
      <p>{error.message}</p>
      <p>Reload in a moment; if it persists, check that the subgraph is running.</p>
    </div>
  );
}
