/**
 * The subgraph client: every query validates against the graph-node-dialect query schema the
 * subgraph runner builds from subgraph/schema.graphql; answers in graph-node's dialect (test/fixtures/subgraph-responses) parse
 * into typed values; every failure mode gives a SubgraphError of the right kind.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, validate } from "graphql";
import {
  agentSearchFilter, createSubgraphClient, isSubgraphError, SUBGRAPH_QUERIES, summarizeReputation, workerEligibility,
  type SubgraphOperation, type SubgraphWorker,
} from "../../protocol/src/index.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import { parseSchema } from "../../subgraph/runner/schema.ts";
import { buildApi } from "../../subgraph/runner/graphql-api.ts";

const FIXTURES = path.join(ROOT, "test", "fixtures", "subgraph-responses");
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));

describe("subgraph queries against schema.graphql", () => {
  // The query schema the local runner serves, built (as graph-node builds its own) from schema.graphql.
  const schema = buildApi(parseSchema(readFileSync(path.join(ROOT, "subgraph", "schema.graphql"), "utf8")));

  for (const [name, query] of Object.entries(SUBGRAPH_QUERIES)) {
    it(`${name} is a valid query for the graph-node schema`, () => {
      const errors = validate(schema, parse(query));
      assert.deepEqual(errors.map((e) => e.message), []);
    });
  }

  it("the validator catches a field the schema does not have (it is not vacuous)", () => {
    const errors = validate(schema, parse("{ agents { id reputationScore } }"));
    assert.match(errors[0]?.message ?? "", /reputationScore/);
  });

  it("search filters use only Agent_filter fields (validated as literal where arguments)", () => {
    const where = agentSearchFilter({ text: "text", tag: "nlp", maxPrice: 5n });
    const literal = JSON.stringify(where).replace(/"([A-Za-z_]+)":/g, "$1:");
    const errors = validate(schema, parse(`{ agents(where: ${literal}) { id } }`));
    assert.deepEqual(errors.map((e) => e.message), []);
  });
});

describe("subgraph client on graph-node answers", () => {
  let server: Server;
  let url: string;
  const requests: { operationName: SubgraphOperation; variables: Record<string, unknown> }[] = [];
  let override: { status: number; body: string } | undefined;

  before(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (c: Buffer) => (text += c.toString()));
      req.on("end", () => {
        const body = JSON.parse(text) as { operationName: SubgraphOperation; variables: Record<string, unknown>; query: string };
        requests.push(body);
        assert.equal(body.query, SUBGRAPH_QUERIES[body.operationName], "the client sends the named query verbatim");
        if (override) return res.writeHead(override.status, { "content-type": "application/json" }).end(override.body);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(fixture(body.operationName)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    assert.ok(address && typeof address === "object");
    url = `http://127.0.0.1:${address.port}/subgraphs/name/agentry`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => createSubgraphClient(url);
  const lastRequest = () => requests[requests.length - 1]!;

  it("searchAgents sends the filters and order, and types the agents", async () => {
    const agents = await client().searchAgents({ text: "Text", tag: "text", maxPrice: 10n ** 12n, orderBy: "price", first: 5 });
    assert.deepEqual(lastRequest().variables, {
      where: {
        and: [
          { or: [{ registrationFile_: { name_contains_nocase: "Text" } }, { registrationFile_: { description_contains_nocase: "Text" } }, { registrationFile_: { toolNames_contains_nocase: ["Text"] } }] },
          { registrationFile_: { tags_contains: ["text"] } },
          { ethPrice_lte: "1000000000000" },
        ],
      },
      orderBy: "ethPrice",
      orderDirection: "asc",
      first: 5,
      skip: 0,
      block: null,
    });
    assert.equal(agents.length, 2);
    assert.equal(agents[0]!.agentId, 2n);
    assert.equal(agents[0]!.ethPrice, 1_000_000_000_000n);
    assert.deepEqual(agents[0]!.registrationFile?.toolNames, ["upper", "word_count"]);
    assert.equal(agents[1]!.registrationFile, null);
  });

  it("agent() orders tools as the file lists them, marks eligible workers and summarizes reputation", async () => {
    const agent = await client().agent(2n);
    assert.ok(agent);
    assert.deepEqual(agent.tools.map((t) => t.name), ["upper", "word_count"], "index 2 before index 10");
    assert.equal(agent.tools[0]!.price, 1_000_000_000_000n);
    assert.deepEqual(JSON.parse(agent.tools[1]!.inputSchema!), { type: "object", properties: { text: { type: "string" } }, required: ["text"] });
    assert.deepEqual(agent.workers.map((w) => [w.endpoint, w.eligible, w.reason]), [
      ["https://worker.example/mcp", true, undefined],
      ["https://worker-2.example/mcp", false, "no validation in force"],
    ]);
    assert.deepEqual(agent.reputation, { count: 2, verifiedCount: 1, average: 852n, verifiedAverage: 800n, decimals: 1 });
    assert.deepEqual(agent.prices, [{ token: "0x0000000000000000000000000000000000000000", price: 1_000_000_000_000n, terms: { id: "3" } }]);
  });

  it("workersForAgent() keeps unpinned measurements out of the eligible set", async () => {
    const workers = await client().workersForAgent(2n);
    assert.deepEqual(lastRequest().variables, { agent: "2", block: null });
    assert.deepEqual(workers.map((w) => [w.id, w.eligible, w.reason]), [
      ["0x90f79bf6eb2c4f870365e785982e1f101e93b906", true, undefined],
      ["0x976ea74026e726554db657fa54763abd0c3a0aa9", false, "the agent has not pinned its measurement"],
    ]);
  });

  it("agreement(), agreementsOf(), redemptionsOf() and meta() type their answers", async () => {
    const agreement = await client().agreement(7n, { minBlock: 40n });
    assert.deepEqual(lastRequest().variables, { id: "7", block: { number_gte: 40 } });
    assert.equal(agreement?.redeemedCalls, 3n);
    assert.equal(agreement?.sessionKey, "0x14dc79964da2c08b23698b3d3cc7ca32193d9955");
    const list = await client().agreementsOf("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    assert.equal(lastRequest().variables.client, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "Bytes ids are matched in lowercase");
    assert.deepEqual(list.map((a) => [a.agreementId, a.state, a.refund]), [[8n, "CLOSED", 97_000_000_000_000n], [7n, "OPEN", null]]);
    const redemptions = await client().redemptionsOf(7n);
    assert.deepEqual(redemptions.map((r) => r.calls), [2n, 3n]);
    const meta = await client().meta();
    assert.equal(meta.block.number, 47);
    assert.equal(meta.hasIndexingErrors, false);
  });

  it("says the subgraph is lagging, with the block it reached", async () => {
    override = { status: 200, body: JSON.stringify(fixture("lagging")) };
    try {
      await assert.rejects(client().agreement(7n, { minBlock: 60n }), (error: unknown) => {
        assert.ok(isSubgraphError(error, "lagging"));
        assert.equal(error.indexedBlock, 47n);
        assert.match(error.message, /indexed up to block 47, not yet block 60: retry/);
        return true;
      });
    } finally {
      override = undefined;
    }
  });

  it("says the query was refused, with graph-node's reason", async () => {
    override = { status: 200, body: JSON.stringify(fixture("refused")) };
    try {
      await assert.rejects(client().agent(2n), (error: unknown) => isSubgraphError(error, "refused") && /reputationScore/.test(error.message));
    } finally {
      override = undefined;
    }
  });

  it("says the endpoint is down: connection refused, HTTP error pages, non-GraphQL JSON", async () => {
    await assert.rejects(createSubgraphClient("http://127.0.0.1:1/subgraphs/name/agentry").meta(), (error: unknown) => isSubgraphError(error, "unreachable") && /AGENTRY_SUBGRAPH_URL/.test(error.message));
    for (const [status, body] of [[502, "<html>Bad gateway</html>"], [200, "[1,2]"]] as const) {
      override = { status, body };
      try {
        await assert.rejects(client().meta(), (error: unknown) => isSubgraphError(error, "unreachable"));
      } finally {
        override = undefined;
      }
    }
  });

  it("says the answer has the wrong shape, naming the field", async () => {
    override = { status: 200, body: JSON.stringify({ data: { agreement: { id: "7", agreementId: 7 } } }) };
    try {
      await assert.rejects(client().agreement(7n), (error: unknown) => isSubgraphError(error, "malformed") && /agreement\.agreementId/.test(error.message));
    } finally {
      override = undefined;
    }
  });
});

describe("worker eligibility and reputation (pure)", () => {
  const measurement = `0x${"ab".repeat(32)}` as const;
  const base: SubgraphWorker = {
    id: `0x${"11".repeat(20)}`, operator: { id: `0x${"22".repeat(20)}` }, teeType: "DEV", measurement, evidenceURI: "ipfs://x", endpoint: "http://w/mcp",
    expiresAt: 1000n, retired: false,
    validation: { id: "v", validator: { id: `0x${"33".repeat(20)}`, allowed: true }, measurement, expiresAt: 900n, revoked: false },
  };
  it("mirrors WorkerRegistry.isEligible, one reason per failed condition", () => {
    assert.deepEqual(workerEligibility(base, [measurement], 100n), { eligible: true });
    const cases: [Partial<SubgraphWorker>, bigint, RegExp][] = [
      [{ retired: true }, 100n, /retired/],
      [{}, 1000n, /evidence has expired/],
      [{}, 950n, /validation has expired/],
      [{ validation: { ...base.validation!, revoked: true } }, 100n, /no validation/],
      [{ validation: { ...base.validation!, validator: { id: base.validation!.validator.id, allowed: false } } }, 100n, /validator/],
      [{ validation: { ...base.validation!, measurement: `0x${"cd".repeat(32)}` } }, 100n, /another measurement/],
    ];
    for (const [change, now, reason] of cases) {
      const result = workerEligibility({ ...base, ...change }, [measurement], now);
      assert.equal(result.eligible, false);
      assert.match(result.reason!, reason);
    }
    assert.match(workerEligibility(base, [], 100n).reason!, /not pinned/);
  });
  it("averages reputation at the largest decimals, as getSummary does", () => {
    assert.deepEqual(summarizeReputation([]), { count: 0, verifiedCount: 0, average: null, verifiedAverage: null, decimals: 0 });
    assert.equal(summarizeReputation([{ value: 1n, valueDecimals: 2, verified: false }, { value: -3n, valueDecimals: 0, verified: true }]).average, -149n);
  });
});
