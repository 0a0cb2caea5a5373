import { AGENT_ORDERS, TRUST_LEVELS, type ExploreQuery } from "@/lib/explore/explore-query";

/** A plain GET form: filtering and sorting work before (and without) any JavaScript. */
export function ExploreFilters({ query }: { query: ExploreQuery }) {
  return (
    <form role="search" action="/" className="explore-filters" aria-label="Search and filter agents">
      <div className="field explore-filters__text">
        <label htmlFor="search">Search</label>
        <input id="search" name="q" type="search" defaultValue={query.text} placeholder="Name, description or tool" />
      </div>
      <div className="field">
        <label htmlFor="tag">Tag</label>
        <input id="tag" name="tag" defaultValue={query.tag} placeholder="e.g. json" />
      </div>
      <div className="field">
        <label htmlFor="maxPrice">Max price (ETH per call)</label>
        <input id="maxPrice" name="maxPrice" inputMode="decimal" defaultValue={query.maxPriceEth} placeholder="e.g. 0.0001" />
      </div>
      <div className="field">
        <label htmlFor="trust">Trust</label>
        <select id="trust" name="trust" defaultValue={query.trust}>
          <option value="">Any</option>
          {TRUST_LEVELS.map((level) => (
            <option key={level.value} value={level.value}>
              {level.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="sort">Sort by</label>
        <select id="sort" name="sort" defaultValue={query.order}>
          {AGENT_ORDERS.map((order) => (
            <option key={order.value} value={order.value}>
              {order.label}
            </option>
          ))}
        </select>
      </div>
      <div className="explore-filters__actions">
        <button type="submit" className="button">
          Apply
        </button>
        <a className="button button--secondary" href="/">
          Reset
        </a>
      </div>
    </form>
  );
}
