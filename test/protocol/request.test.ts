import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeAbiParameters, keccak256, stringToBytes } from "viem";
import { canonicalJson, jsonHash, requestHash, isProtocolError } from "../../protocol/src/index.ts";

/** Any JSON value (finite numbers, unicode strings, nested objects and arrays). */
const json = fc.jsonValue({ maxDepth: 4 });

function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    // deterministic permutation: rotate by seed, then reverse on odd seeds
    const k = entries.length ? seed % entries.length : 0;
    const rotated = [...entries.slice(k), ...entries.slice(0, k)];
    if (seed % 2) rotated.reverse();
    return Object.fromEntries(rotated.map(([key, v], i) => [key, shuffleKeys(v, seed + i + 1)]));
  }
  return value;
}

describe("canonical JSON (RFC 8785)", () => {
  it("matches the RFC's examples: sorted keys, shortest numbers, minimal escapes", () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, "x"] }), '{"a":[true,null,"x"],"b":1}');
    assert.equal(canonicalJson({ n: 1.0, m: 1e21, s: 1e-7, z: -0 }), '{"m":1e+21,"n":1,"s":1e-7,"z":0}');
    assert.equal(canonicalJson({ "\u20ac": "€", "\r": "\u0000\u001f", a: "\u2028" }), '{"\\r":"\\u0000\\u001f","a":"\u2028","€":"€"}');
    // keys are ordered by UTF-16 code units, not code points: U+1F600 (D83D DE00) sorts before U+FB33
    assert.equal(canonicalJson({ "\ufb33": 1, "\u{1f600}": 2 }), '{"\u{1f600}":2,"\ufb33":1}');
  });

  it("is independent of key order (property)", () => {
    fc.assert(
      fc.property(json, fc.nat(1000), (value, seed) => {
        assert.equal(canonicalJson(shuffleKeys(value, seed)), canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it("is a fixed point: canonicalizing parsed canonical JSON changes nothing (property)", () => {
    fc.assert(
      fc.property(json, (value) => {
        const once = canonicalJson(value);
        assert.equal(canonicalJson(JSON.parse(once)), once);
        assert.deepEqual(JSON.parse(once), JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("hashes equal numbers spelled differently the same, and different values differently (property)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const spelled = JSON.parse(`{"v": ${n.toExponential(20)}}`) as { v: number };
        if (Object.is(spelled.v, n) || spelled.v === n) assert.equal(jsonHash(spelled), jsonHash({ v: n }));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(json, json, (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        assert.notEqual(jsonHash(a), jsonHash(b));
      }),
      { numRuns: 200 },
    );
  });

  it("rejects what JSON cannot carry, saying where", () => {
    for (const [value, where] of [
      [{ a: Number.NaN }, "$.a"],
      [{ a: [1, Infinity] }, "$.a[1]"],
      [{ a: undefined }, "$.a"],
      [{ d: new Date(0) }, "$.d"],
      [{ f: () => 1 }, "$.f"],
      [{ b: 1n }, "$.b"],
    ] as const) {
      assert.throws(() => canonicalJson(value), (e: unknown) => isProtocolError(e, "INVALID_JSON_VALUE") && e.message.includes(where));
    }
  });
});

describe("requestHash", () => {
  it("is keccak256(abi.encode(agentId, keccak256(toolName), keccak256(JCS(arguments))))", () => {
    const args = { query: "$.a", data: { a: 1 } };
    const expected = keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
        [42n, keccak256(stringToBytes("json_query")), keccak256(stringToBytes('{"data":{"a":1},"query":"$.a"}'))],
      ),
    );
    assert.equal(requestHash({ agentId: 42n, toolName: "json_query", arguments: args }), expected);
  });

  it("binds the agent, the tool and the arguments (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.string(), fc.dictionary(fc.string(), json), (agentId, tool, args) => {
        const h = requestHash({ agentId, toolName: tool, arguments: args });
        assert.notEqual(requestHash({ agentId: agentId ^ 1n, toolName: tool, arguments: args }), h);
        assert.notEqual(requestHash({ agentId, toolName: tool + "x", arguments: args }), h);
        assert.notEqual(requestHash({ agentId, toolName: tool, arguments: { ...args, "\u0000extra": 1 } }), h);
      }),
      { numRuns: 200 },
    );
  });
});
