import { test } from "node:test";
import assert from "node:assert/strict";
import { parseEther } from "viem";
import { isFiltered, parseExploreQuery } from "../../web/lib/explore/explore-query.ts";
import { attestationStatus, formatReputation } from "../../web/lib/explore/agent-trust.ts";
import type { WorkerWithEligibility } from "../../protocol/src/index.ts";

test("the query string gives the filters and the order", () => {
  const query = parseExploreQuery({ q: " json ", tag: "Data", maxPrice: "0.0001", trust: "tee-attestation", sort: "price" });
  assert.equal(query.text, "json");
  assert.equal(query.tag, "data");
  assert.equal(query.maxPriceWei, parseEther("0.0001"));
  assert.equal(query.trust, "tee-attestation");
  assert.equal(query.order, "price");
  assert.deepEqual(query.problems, []);
  assert.equal(isFiltered(query), true);
});

test("bad values are ignored with a message instead of failing the page", () => {
  const query = parseExploreQuery({ maxPrice: "cheap", sort: "random" });
  assert.equal(query.maxPriceWei, undefined);
  assert.equal(query.order, "newest");
  assert.equal(query.problems.length, 2);
  assert.equal(isFiltered(query), false);
});

test("repeated parameters use the first value", () => {
  assert.equal(parseExploreQuery({ q: ["a", "b"] }).text, "a");
});

const worker = (teeType: WorkerWithEligibility["teeType"], eligible: boolean) => ({ teeType, eligible }) as WorkerWithEligibility;

test("the attestation badge needs an eligible worker in a real TEE; DEV-only agents are not attested", () => {
  assert.equal(attestationStatus([worker("DEV", true), worker("TDX", true)]), "attested");
  assert.equal(attestationStatus([worker("DEV", true), worker("TDX", false)]), "dev");
  assert.equal(attestationStatus([worker("SGX", false)]), "none");
  assert.equal(attestationStatus([]), "none");
});

test("reputation is shown as the average of the feedback, with counts", () => {
  assert.equal(formatReputation({ count: 0, verifiedCount: 0, average: null, verifiedAverage: null, decimals: 0 }), null);
  assert.equal(formatReputation({ count: 2, verifiedCount: 1, average: 450n, verifiedAverage: 400n, decimals: 2 }), "score 4.5 (2 reviews, 1 verified)");
});
