import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { z } from "zod";
import {
  ToolInputError,
  builtinTools,
  findTool,
  runBuiltinTool,
  type AnyBuiltinTool,
  type ToolOutput,
} from "../../worker/src/tools/index.ts";

const MiB = 1_048_576;

function tool(name: string): AnyBuiltinTool {
  const found = findTool(name);
  assert.ok(found, `tool ${name} is registered`);
  return found;
}

/** Run a tool through its schema; returns the output. */
function run(name: string, args: unknown): ToolOutput {
  return runBuiltinTool(tool(name), args);
}

/** Structured result of a tool call. */
function result(name: string, args: unknown): Record<string, any> {
  const out = run(name, args);
  assert.ok(out.structured, `${name} returns structured output`);
  return out.structured;
}

/** Assert that the call fails with a ToolInputError whose message matches `pattern`. */
function rejects(name: string, args: unknown, pattern: RegExp): void {
  assert.throws(
    () => run(name, args),
    (error: unknown) => {
      assert.ok(error instanceof ToolInputError, `expected ToolInputError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

/** Assert that the schema alone rejects `args` (before `run`), with an issue at `path`. */
function schemaRejects(name: string, args: unknown, path: string): void {
  const parsed = tool(name).inputSchema.safeParse(args);
  assert.equal(parsed.success, false, `schema of ${name} should reject the input`);
  const paths = parsed.error!.issues.map((issue) => issue.path.join("."));
  assert.ok(paths.includes(path), `expected an issue at "${path}", got ${JSON.stringify(paths)}`);
  rejects(name, args, /invalid arguments/);
}

type Outcome = { output: ToolOutput } | { error: string };

/** Run twice; anything but a ToolInputError fails the test; both runs must agree exactly. */
function runTwice(name: string, args: unknown): Outcome {
  const attempt = (): Outcome => {
    try {
      return { output: run(name, args) };
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      return { error: error.message };
    }
  };
  const first = attempt();
  const second = attempt();
  assert.deepEqual(second, first);
  if ("output" in first && "output" in second) assert.equal(second.output.text, first.output.text);
  return first;
}

/** For tools whose text is the JSON of the structured result. */
function assertTextIsJson(outcome: Outcome): void {
  if ("output" in outcome) assert.equal(outcome.output.text, JSON.stringify(outcome.output.structured, null, 2));
}

/** Runs per property; raise TOOLS_PROPERTY_RUNS for a longer soak. */
const PROPERTY_RUNS = { numRuns: Number(process.env.TOOLS_PROPERTY_RUNS ?? 150) };

describe("built-in tool registry", () => {
  it("lists every tool once, with MCP-ready metadata and an object JSON Schema", () => {
    const names = builtinTools.map((t) => t.name);
    assert.deepEqual([...names].sort(), [
      "convert_timezone",
      "convert_units",
      "csv_to_json",
      "hash_encode",
      "json_diff",
      "json_query",
      "markdown_table",
      "regex_extract",
      "text_stats",
    ]);
    for (const t of builtinTools) {
      assert.match(t.name, /^[a-z][a-z0-9_]*$/);
      assert.ok(t.title.length > 0 && t.description.length > 40, `${t.name} is described`);
      assert.deepEqual(t.annotations, { readOnlyHint: true, idempotentHint: true, openWorldHint: false });
      const schema = z.toJSONSchema(t.inputSchema, { io: "input" }) as Record<string, any>;
      assert.equal((z.toJSONSchema(t.inputSchema) as Record<string, any>).type, "object", "output-mode JSON Schema is derivable too");
      assert.equal(schema.type, "object", `${t.name} input schema is an object`);
      assert.equal(schema.additionalProperties, false);
      assert.ok(Object.keys(schema.properties).length > 0);
      assert.equal(findTool(t.name), t);
    }
    assert.equal(findTool("no_such_tool"), undefined);
  });

  it("rejects unknown argument keys and non-object arguments", () => {
    for (const t of builtinTools) {
      assert.throws(() => runBuiltinTool(t, { unexpectedKey: 1 }), ToolInputError);
      assert.throws(() => runBuiltinTool(t, "not an object"), ToolInputError);
    }
  });
});

describe("json_query", () => {
  const store = {
    store: {
      book: [
        { category: "reference", author: "Nigel Rees", title: "Sayings of the Century", price: 8.95 },
        { category: "fiction", author: "Evelyn Waugh", title: "Sword of Honour", price: 12.99 },
        { category: "fiction", author: "Herman Melville", title: "Moby Dick", isbn: "0-553-21311-3", price: 8.99 },
      ],
      bicycle: { color: "red", price: 19.95 },
    },
  };

  it("selects members, wildcards, slices, unions and descendants with paths and pointers", () => {
    const titles = result("json_query", { path: "$.store.book[*].title", document: store });
    assert.deepEqual(
      titles.matches.map((m: any) => m.value),
      ["Sayings of the Century", "Sword of Honour", "Moby Dick"],
    );
    assert.deepEqual(titles.matches[2], { path: "$['store']['book'][2]['title']", pointer: "/store/book/2/title", value: "Moby Dick" });
    assert.equal(titles.count, 3);
    assert.equal(titles.truncated, false);

    const prices = result("json_query", { path: "$..price", document: store });
    assert.deepEqual(prices.matches.map((m: any) => m.value).sort(), [12.99, 19.95, 8.95, 8.99].sort());
    assert.deepEqual(result("json_query", { path: "$.store.book[-1:].author", document: store }).matches.map((m: any) => m.value), ["Herman Melville"]);
    assert.deepEqual(result("json_query", { path: "$.store.book[0,2].price", document: store }).matches.map((m: any) => m.value), [8.95, 8.99]);
    assert.deepEqual(result("json_query", { path: "$.store.*~", document: store }).matches.map((m: any) => m.value), ["book", "bicycle"]);
    assert.deepEqual(result("json_query", { path: "$..isbn", document: store }).matches.map((m: any) => m.pointer), ["/store/book/2/isbn"]);
    assert.equal(result("json_query", { path: "$.store.missing", document: store }).count, 0);
  });

  it("accepts the document as JSON text and handles falsy roots", () => {
    const fromText = result("json_query", { path: "$.a[1]", documentText: '{"a": [10, 20, 30]}' });
    assert.deepEqual(fromText.matches, [{ path: "$['a'][1]", pointer: "/a/1", value: 20 }]);
    for (const root of [null, false, 0, ""]) {
      assert.deepEqual(result("json_query", { path: "$", document: root }).matches, [{ path: "$", pointer: "", value: root }]);
    }
    assert.equal(result("json_query", { path: "$.x", document: null }).count, 0);
  });

  it("only matches JSON members (no array length, string characters or prototype members)", () => {
    assert.equal(result("json_query", { path: "$.a.length", document: { a: [1, 2] } }).count, 0);
    assert.equal(result("json_query", { path: "$.s[0]", document: { s: "abc" } }).count, 0);
    assert.equal(result("json_query", { path: "$.constructor", document: {} }).count, 0);
    assert.equal(result("json_query", { path: "$^", document: { a: 1 } }).count, 0);
    const weird = result("json_query", { path: "$.*", documentText: '{"it\'s/~": 1, "__proto__": 2}' });
    assert.deepEqual(
      weird.matches.map((m: any) => [m.path, m.pointer, m.value]),
      [
        ["$['it\\'s/~']", "/it's~1~0", 1],
        ["$['__proto__']", "/__proto__", 2],
      ],
    );
  });

  it("truncates at maxResults and at the output budget", () => {
    const many = result("json_query", { path: "$[*]", document: Array.from({ length: 50 }, (_, i) => i), maxResults: 7 });
    assert.equal(many.count, 7);
    assert.equal(many.truncated, true);
    assert.deepEqual(many.matches.map((m: any) => m.value), [0, 1, 2, 3, 4, 5, 6]);
    let nested: unknown = "x".repeat(300_000);
    for (let i = 0; i < 20; i++) nested = { n: nested };
    const big = result("json_query", { path: "$..*", document: nested });
    assert.equal(big.truncated, true);
    assert.ok(big.count < 20 && big.count >= 10, `count ${big.count}`);
  });

  it("reports every input error with a fix", () => {
    rejects("json_query", { path: "$", document: 1, documentText: "1" }, /exactly one of `document`/);
    rejects("json_query", { path: "$" }, /exactly one of `document`/);
    rejects("json_query", { path: "$", documentText: "{'a': 1}" }, /documentText is not valid JSON/);
    rejects("json_query", { path: "$", documentText: "[".repeat(300) + "]".repeat(300) }, /nested more than 256/);
    rejects("json_query", { path: "store.book", document: store }, /must start with `\$`.*\$\.store\.book/);
    rejects("json_query", { path: "$.store.book[?(@.price < 10)]", document: store }, /filter and script expressions .* disabled/);
    rejects("json_query", { path: "$.store.book[(@.length-1)]", document: store }, /disabled/);
    rejects("json_query", { path: "$..@other()", document: store }, /invalid JSONPath/);
  });

  it("schema rejects oversized and non-JSON input", () => {
    schemaRejects("json_query", { path: "$", documentText: " ".repeat(MiB + 1) }, "documentText");
    schemaRejects("json_query", { path: "$", document: ["x".repeat(MiB)] }, "document");
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    schemaRejects("json_query", { path: "$", document: deep }, "document");
    schemaRejects("json_query", { path: "$", document: { n: Number.NaN } }, "document");
    schemaRejects("json_query", { path: "$", document: { d: new Date(0) } }, "document");
    schemaRejects("json_query", { path: "$" + ".a".repeat(2100), document: {} }, "path");
    schemaRejects("json_query", { path: "$", document: {}, maxResults: 10_001 }, "maxResults");
  });

  it("is deterministic and only fails with ToolInputError (property)", () => {
    const segment = fc.constantFrom(".a", ".b", "[0]", "[1]", "[*]", ".*", "..a", "..*", "[-1:]", "[0,1]", "[::2]", "~", "^", "['a']", "[?(@)]", "[(1)]", "@string()");
    const path = fc.oneof(
      fc.array(segment, { maxLength: 4 }).map((s) => "$" + s.join("")),
      fc.string({ maxLength: 12 }),
    );
    const key = fc.constantFrom("a", "b", "c", "__proto__", "length");
    const doc = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", maxDepth: 3 },
        fc.constantFrom(null, true, 0, "", "s", 1.5),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(key, tie("value"), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(path, doc, fc.boolean(), (p, d, asText) => {
        const args = asText ? { path: p, documentText: JSON.stringify(d) } : { path: p, document: d };
        const outcome = runTwice("json_query", args);
        assertTextIsJson(outcome);
        if ("output" in outcome) {
          const s = outcome.output.structured as any;
          assert.equal(s.count, s.matches.length);
        }
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("regex_extract", () => {
  it("extracts matches with numbered and named groups and offsets", () => {
    const r = result("regex_extract", {
      text: "Invoices: 2026-03-08 (paid), 2025-12-31 (due)",
      pattern: "(?<year>\\d{4})-(?<month>\\d{2})-(\\d{2})(Z)?",
    });
    assert.equal(r.count, 2);
    assert.equal(r.flags, "g");
    assert.deepEqual(r.matches[0], {
      match: "2026-03-08",
      index: 10,
      end: 20,
      groups: ["2026", "03", "08", null],
      namedGroups: { year: "2026", month: "03" },
    });
    assert.equal(r.matches[1].index, 29);
    assert.deepEqual(r.matches[1].namedGroups, { year: "2025", month: "12" });
  });

  it("honours flags: i, m, s, u, y and d (group indices)", () => {
    assert.deepEqual(result("regex_extract", { text: "Cat cat CAT", pattern: "cat", flags: "i" }).matches.map((m: any) => m.index), [0, 4, 8]);
    assert.deepEqual(result("regex_extract", { text: "a\nb\nc", pattern: "^\\w$", flags: "m" }).matches.map((m: any) => m.match), ["a", "b", "c"]);
    assert.equal(result("regex_extract", { text: "a\nb", pattern: "a.b", flags: "s" }).count, 1);
    assert.equal(result("regex_extract", { text: "a\nb", pattern: "a.b" }).count, 0);
    assert.deepEqual(result("regex_extract", { text: "x😀y", pattern: ".", flags: "u" }).matches.map((m: any) => m.match), ["x", "😀", "y"]);
    assert.deepEqual(result("regex_extract", { text: "aab", pattern: "a", flags: "y" }).matches.map((m: any) => m.index), [0, 1]);
    const d = result("regex_extract", { text: "key=value", pattern: "(\\w+)=(\\w+)(;)?", flags: "d" });
    assert.deepEqual(d.matches[0].indices, [[0, 9], [0, 3], [4, 9], null]);
    assert.equal(d.flags, "dg");
  });

  it("terminates on empty matches and limits the number of matches", () => {
    const empty = result("regex_extract", { text: "abc", pattern: "x*" });
    assert.deepEqual(empty.matches.map((m: any) => m.index), [0, 1, 2, 3]);
    const limited = result("regex_extract", { text: "a".repeat(50), pattern: "a", maxMatches: 5 });
    assert.equal(limited.count, 5);
    assert.equal(limited.truncated, true);
    const exact = result("regex_extract", { text: "aaaaa", pattern: "a", maxMatches: 5 });
    assert.equal(exact.truncated, false);
  });

  it("bounds the total size of extracted text", () => {
    // Each match captures the rest of the text: quadratic output, cut at the 4 MiB budget.
    const r = result("regex_extract", { text: "a".repeat(3000), pattern: "(?=(a*))", maxMatches: 10_000 });
    assert.equal(r.truncated, true);
    assert.ok(r.count > 1000 && r.count < 3000, `count ${r.count}`);
    const total = r.matches.reduce((n: number, m: any) => n + m.match.length + m.groups[0].length, 0);
    assert.ok(total <= 4 * MiB);
  });

  it("reports every input error with a fix", () => {
    rejects("regex_extract", { text: "x", pattern: "(" }, /invalid regular expression: .*Unterminated group/);
    rejects("regex_extract", { text: "x", pattern: "a{2,1}" }, /invalid regular expression/);
    rejects("regex_extract", { text: "x", pattern: "\\p{Foo}", flags: "u" }, /invalid regular expression/);
    rejects("regex_extract", { text: "x", pattern: "x", flags: "q" }, /unknown regular expression flag `q`/);
    rejects("regex_extract", { text: "x", pattern: "x", flags: "ii" }, /flag `i` is repeated/);
    rejects("regex_extract", { text: "x", pattern: "x", flags: "uv" }, /`u` and `v` cannot be combined/);
  });

  it("schema rejects oversized input", () => {
    schemaRejects("regex_extract", { text: "a".repeat(MiB + 1), pattern: "a" }, "text");
    schemaRejects("regex_extract", { text: "a", pattern: "a".repeat(16_385) }, "pattern");
    schemaRejects("regex_extract", { text: "a", pattern: "" }, "pattern");
    schemaRejects("regex_extract", { text: "a", pattern: "a", maxMatches: 10_001 }, "maxMatches");
    schemaRejects("regex_extract", { text: "a", pattern: "a", flags: "dimsuvyg" + "i" }, "flags");
  });

  it("is deterministic and only fails with ToolInputError (property)", () => {
    const pattern = fc.array(fc.constantFrom("a", "b", ".", "*", "+", "?", "|", "(", ")", "[", "]", "^", "$", "\\", "{", "}", "(?<n>", "\\d", "\\w", "1"), {
      minLength: 1,
      maxLength: 8,
    });
    const flags = fc.subarray(["d", "i", "m", "s", "u", "v", "y", "x"]).map((f) => f.join(""));
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), pattern, flags, fc.integer({ min: 1, max: 20 }), (text, p, f, maxMatches) => {
        const outcome = runTwice("regex_extract", { text, pattern: p.join(""), flags: f, maxMatches });
        assertTextIsJson(outcome);
        if ("output" in outcome) assert.ok((outcome.output.structured as any).count <= maxMatches);
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("hash_encode", () => {
  const hash = (algorithm: string, input: string, extra: object = {}) => run("hash_encode", { operation: "hash", algorithm, input, ...extra }).text;

  it("matches published test vectors", () => {
    assert.equal(hash("sha256", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hash("sha256", ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(
      hash("sha512", "abc"),
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    assert.equal(hash("sha3-256", "abc"), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
    assert.equal(hash("sha3-256", ""), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    // Keccak-256 (pre-standard padding, as used by Ethereum) differs from SHA3-256.
    assert.equal(hash("keccak256", ""), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    assert.equal(
      hash("blake2b512", "abc"),
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    );
    assert.equal(hash("md5", "The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
    assert.equal(hash("sha256", "héllo wörld"), "a1003f7d04a4115711d0b48a2eaf1359ce565d2d2a6fd65098dfcffadeeef59f");
  });

  it("hashes bytes given as hex or base64, and formats digests", () => {
    // "abc" = 0x616263 = YWJj
    const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert.equal(hash("sha256", "0x616263", { inputEncoding: "hex" }), expected);
    assert.equal(hash("sha256", "YWJj", { inputEncoding: "base64" }), expected);
    assert.equal(hash("sha256", "abc", { outputEncoding: "base64" }), Buffer.from(expected, "hex").toString("base64"));
    assert.equal(hash("sha256", "abc", { outputEncoding: "base64url" }), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    const md5 = result("hash_encode", { operation: "hash", algorithm: "md5", input: "" });
    assert.equal(md5.result, "d41d8cd98f00b204e9800998ecf8427e");
    assert.match(md5.warning, /non-cryptographic/);
    assert.equal(result("hash_encode", { operation: "hash", algorithm: "sha256", input: "é" }).inputBytes, 2);
    assert.equal(result("hash_encode", { operation: "hash", algorithm: "sha256", input: "abc" }).warning, undefined);
  });

  it("encodes and decodes RFC 4648 base64/base64url/hex and RFC 3986 percent-encoding", () => {
    const enc = (encoding: string, input: string, extra: object = {}) => run("hash_encode", { operation: "encode", encoding, input, ...extra }).text;
    const dec = (encoding: string, input: string, extra: object = {}) => run("hash_encode", { operation: "decode", encoding, input, ...extra }).text;
    const vectors: Array<[string, string]> = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"]];
    for (const [plain, b64] of vectors) {
      assert.equal(enc("base64", plain), b64);
      assert.equal(dec("base64", b64), plain);
      assert.equal(dec("base64", b64.replace(/=+$/, "")), plain, "padding is optional");
    }
    assert.equal(enc("hex", "foobar"), "666f6f626172");
    assert.equal(dec("hex", "0x666F6F626172"), "foobar");
    assert.equal(enc("base64", "fbff", { inputEncoding: "hex" }), "+/8=");
    assert.equal(enc("base64url", "fbff", { inputEncoding: "hex" }), "-_8");
    assert.equal(dec("base64url", "-_8", { outputEncoding: "hex" }), "fbff");
    assert.equal(dec("base64", "Zm9v\nYmFy"), "foobar", "whitespace in base64 is ignored");
    assert.equal(enc("url", "a b/ü~*!"), "a%20b%2F%C3%BC~%2A%21");
    assert.equal(dec("url", "a%20b%2f%C3%BC+~"), "a b/ü+~");
    assert.equal(dec("url", "caf%C3%A9", { outputEncoding: "hex" }), "636166c3a9");
    assert.equal(enc("url", "ff00", { inputEncoding: "hex" }), "%FF%00");
    const decoded = result("hash_encode", { operation: "decode", encoding: "base64", input: "AAEC", outputEncoding: "base64" });
    assert.deepEqual([decoded.result, decoded.outputBytes], ["AAEC", 3]);
  });

  it("reports every input error with a fix", () => {
    rejects("hash_encode", { operation: "hash", input: "x" }, /needs `algorithm`/);
    rejects("hash_encode", { operation: "hash", algorithm: "sha256", encoding: "hex", input: "x" }, /`encoding` applies to encode\/decode/);
    rejects("hash_encode", { operation: "hash", algorithm: "sha256", input: "x", outputEncoding: "utf8" }, /digest is binary/);
    rejects("hash_encode", { operation: "hash", algorithm: "sha256", input: "abc", inputEncoding: "hex" }, /not valid hex/);
    rejects("hash_encode", { operation: "hash", algorithm: "sha256", input: "0x1", inputEncoding: "hex" }, /not valid hex/);
    rejects("hash_encode", { operation: "encode", input: "x" }, /needs `encoding`/);
    rejects("hash_encode", { operation: "decode", input: "x" }, /needs `encoding`/);
    rejects("hash_encode", { operation: "encode", encoding: "hex", algorithm: "md5", input: "x" }, /`algorithm` applies only/);
    rejects("hash_encode", { operation: "encode", encoding: "hex", input: "x", outputEncoding: "hex" }, /`outputEncoding` does not apply to `encode`/);
    rejects("hash_encode", { operation: "decode", encoding: "hex", input: "00", inputEncoding: "utf8" }, /`inputEncoding` does not apply to `decode`/);
    rejects("hash_encode", { operation: "decode", encoding: "base64", input: "Zm9v!" }, /not valid base64/);
    rejects("hash_encode", { operation: "decode", encoding: "base64", input: "Z" }, /not valid base64/);
    rejects("hash_encode", { operation: "decode", encoding: "base64", input: "Zm8" + "==" }, /not valid base64/);
    rejects("hash_encode", { operation: "decode", encoding: "base64", input: "Zm9v-_" }, /not valid base64/);
    rejects("hash_encode", { operation: "decode", encoding: "base64url", input: "Zm9v+/" }, /not valid base64url/);
    rejects("hash_encode", { operation: "decode", encoding: "base64", input: "Zh==" }, /not canonical base64/);
    rejects("hash_encode", { operation: "decode", encoding: "url", input: "100%" }, /invalid percent-escape at offset 3/);
    rejects("hash_encode", { operation: "decode", encoding: "url", input: "%zz" }, /invalid percent-escape at offset 0/);
    rejects("hash_encode", { operation: "decode", encoding: "hex", input: "ff" }, /not valid UTF-8.*outputEncoding/);
  });

  it("schema rejects oversized input and unknown algorithms", () => {
    schemaRejects("hash_encode", { operation: "hash", algorithm: "sha256", input: "a".repeat(MiB + 1) }, "input");
    schemaRejects("hash_encode", { operation: "hash", algorithm: "sha1", input: "a" }, "algorithm");
    schemaRejects("hash_encode", { operation: "compress", input: "a" }, "operation");
  });

  it("round-trips arbitrary bytes and is deterministic (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom("base64", "base64url", "hex", "url"), (bytes, encoding) => {
        const hex = Buffer.from(bytes).toString("hex");
        const encoded = run("hash_encode", { operation: "encode", encoding, input: hex, inputEncoding: "hex" }).text;
        assert.equal(run("hash_encode", { operation: "decode", encoding, input: encoded, outputEncoding: "hex" }).text, hex);
      }),
      PROPERTY_RUNS,
    );
    const args = fc.record(
      {
        operation: fc.constantFrom("hash", "encode", "decode"),
        input: fc.oneof(fc.string({ maxLength: 24 }), fc.stringMatching(/^[0-9a-fA-F=+/_%-]{0,16}$/)),
        algorithm: fc.constantFrom("sha256", "sha512", "sha3-256", "keccak256", "blake2b512", "md5"),
        encoding: fc.constantFrom("base64", "base64url", "hex", "url"),
        inputEncoding: fc.constantFrom("utf8", "hex", "base64", "base64url"),
        outputEncoding: fc.constantFrom("hex", "base64", "base64url", "utf8"),
      },
      { requiredKeys: ["operation", "input"] },
    );
    fc.assert(fc.property(args, (a) => void runTwice("hash_encode", a)), PROPERTY_RUNS);
  });
});

describe("convert_units", () => {
  const convert = (value: number, from: string, to: string) => result("convert_units", { value, from, to });

  it("uses exact defined factors", () => {
    const cases: Array<[number, string, string, number]> = [
      [1, "ft", "m", 0.3048],
      [1, "in", "cm", 2.54],
      [1, "mi", "km", 1.609344],
      [1, "nmi", "m", 1852],
      [1, "lb", "g", 453.59237],
      [16, "oz", "lb", 1],
      [1, "st", "kg", 6.35029318],
      [1, "gal", "L", 3.785411784],
      [1, "gal", "fl_oz", 128],
      [1, "imp_gal", "L", 4.54609],
      [1, "ft3", "L", 28.316846592],
      [1, "acre", "m2", 4046.8564224],
      [1, "ha", "acre", 2.47105381467165],
      [1, "mi2", "km2", 2.589988110336],
      [1, "kn", "km/h", 1.852],
      [60, "mph", "km/h", 96.56064],
      [1, "GiB", "B", 1073741824],
      [1, "MiB", "MB", 1.048576],
      [1, "GB", "GiB", 0.931322574615479],
      [100, "Mbit", "MB", 12.5],
      [1, "wk", "h", 168],
      [1, "yr", "d", 365.25],
      [90, "min", "h", 1.5],
      [1500, "ms", "s", 1.5],
    ];
    for (const [value, from, to, expected] of cases) {
      assert.equal(convert(value, from, to).result, expected, `${value} ${from} -> ${to}`);
    }
    assert.equal(convert(1, "ft", "m").exact, true);
    assert.equal(convert(1, "in", "ft").result, 0.0833333333333333);
    assert.equal(convert(1, "in", "ft").exact, false);
    assert.equal(convert(100, "km/h", "mph").result, 62.1371192237334);
    assert.equal(run("convert_units", { value: 1, from: "mi", to: "km" }).text, "1 mi = 1.609344 km");
    assert.equal(result("convert_units", { value: 1, from: "in", to: "ft", significantDigits: 3 }).result, 0.0833);
  });

  it("converts temperatures (affine scales)", () => {
    assert.equal(convert(100, "°C", "°F").result, 212);
    assert.equal(convert(-40, "C", "F").result, -40);
    assert.equal(convert(98.6, "fahrenheit", "celsius").result, 37);
    assert.equal(convert(0, "K", "°C").result, -273.15);
    assert.equal(convert(0, "°F", "K").result, 255.372222222222);
    assert.equal(convert(491.67, "°R", "°F").result, 32);
    assert.equal(convert(-273.15, "°C", "K").result, 0);
  });

  it("accepts names, plurals, aliases and unambiguous case variants", () => {
    assert.equal(convert(2, "Kilometres", "metres").result, 2000);
    assert.equal(convert(3, "feet", "inches").result, 36);
    assert.equal(convert(1, "KM", "m").result, 1000);
    assert.equal(convert(1, "µm", "um").result, 1);
    assert.equal(convert(1, "KB", "B").result, 1000);
    assert.deepEqual(convert(1, "  square  feet ", "sq in").to, { symbol: "in2", name: "square inch" });
    assert.equal(convert(1, "l", "mL").result, 1000);
  });

  it("reports every input error with a fix", () => {
    rejects("convert_units", { value: 1, from: "furlong", to: "m" }, /unknown unit `furlong` in `from`.*length: m, km/);
    rejects("convert_units", { value: 1, from: "m", to: "parsec" }, /unknown unit `parsec` in `to`/);
    rejects("convert_units", { value: 1, from: "Mb", to: "MB" }, /Did you mean MB\?.*case-sensitive/);
    rejects("convert_units", { value: 1, from: "kg", to: "m" }, /cannot convert mass \(kg\) to length \(m\).*kg, g, mg/);
    rejects("convert_units", { value: -300, from: "°C", to: "K" }, /below absolute zero/);
    rejects("convert_units", { value: -1, from: "K", to: "°F" }, /below absolute zero/);
    rejects("convert_units", { value: 1e308, from: "ly", to: "nm" }, /too large to represent/);
    // Non-finite numbers are already rejected by the schema; run() guards direct callers too.
    assert.throws(() => tool("convert_units").run({ value: Number.POSITIVE_INFINITY, from: "m", to: "km", significantDigits: 15 }), /finite number/);
  });

  it("schema rejects oversized and non-finite input", () => {
    schemaRejects("convert_units", { value: 1, from: "m".repeat(65), to: "km" }, "from");
    schemaRejects("convert_units", { value: Number.NaN, from: "m", to: "km" }, "value");
    schemaRejects("convert_units", { value: Number.POSITIVE_INFINITY, from: "m", to: "km" }, "value");
    schemaRejects("convert_units", { value: 1, from: "m", to: "km", significantDigits: 18 }, "significantDigits");
  });

  it("round-trips, is deterministic and only fails with ToolInputError (property)", () => {
    const units = fc.constantFrom("m", "km", "in", "ft", "mi", "kg", "lb", "oz", "°C", "°F", "K", "L", "gal", "m2", "acre", "km/h", "mph", "B", "KiB", "MB", "bit", "s", "h", "yr", "bogus");
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), units, units, (value, from, to) => {
        const outcome = runTwice("convert_units", { value, from, to });
        if ("output" in outcome && Math.abs(value) < 1e12 && Math.abs(value) > 1e-6) {
          const there = (outcome.output.structured as any).result as number;
          const back = result("convert_units", { value: there, from: to, to: from }).result as number;
          assert.ok(Math.abs(back - value) <= Math.abs(value) * 1e-12 + 1e-9, `${value} ${from} -> ${there} ${to} -> ${back}`);
        }
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("convert_timezone", () => {
  const tz = (args: object) => result("convert_timezone", args);

  it("follows the America/New_York DST start on 2026-03-08 (02:00 EST -> 03:00 EDT)", () => {
    const before = tz({ dateTime: "2026-03-08T06:59:59Z", toZone: "America/New_York" });
    assert.deepEqual(
      [before.to.local, before.to.offset, before.to.abbreviation, before.to.weekday],
      ["2026-03-08T01:59:59", "-05:00", "EST", "Sunday"],
    );
    const after = tz({ dateTime: "2026-03-08T07:00:00Z", toZone: "America/New_York" });
    assert.deepEqual([after.to.local, after.to.offset, after.to.abbreviation], ["2026-03-08T03:00:00", "-04:00", "EDT"]);
    assert.equal(after.to.iso, "2026-03-08T03:00:00-04:00");
    assert.equal(after.epochMilliseconds, Date.UTC(2026, 2, 8, 7));
    assert.deepEqual(after.from, { offset: "+00:00" });
  });

  it("resolves local times in the spring-forward gap", () => {
    const local = { dateTime: "2026-03-08T02:30", fromZone: "America/New_York", toZone: "UTC" };
    const compatible = tz(local);
    assert.equal(compatible.instant, "2026-03-08T07:30:00.000Z");
    assert.equal(compatible.from.local, "2026-03-08T03:30:00");
    assert.equal(compatible.resolution.kind, "gap");
    assert.equal(tz({ ...local, disambiguation: "earlier" }).instant, "2026-03-08T06:30:00.000Z");
    assert.equal(tz({ ...local, disambiguation: "later" }).instant, "2026-03-08T07:30:00.000Z");
    rejects("convert_timezone", { ...local, disambiguation: "reject" }, /does not exist in America\/New_York/);
  });

  it("resolves repeated local times in the fall-back overlap (2026-11-01)", () => {
    const local = { dateTime: "2026-11-01T01:30:00", fromZone: "America/New_York", toZone: "Europe/Paris" };
    const compatible = tz(local);
    assert.equal(compatible.instant, "2026-11-01T05:30:00.000Z");
    assert.equal(compatible.from.abbreviation, "EDT");
    assert.equal(compatible.to.local, "2026-11-01T06:30:00");
    assert.equal(compatible.resolution.kind, "overlap");
    const later = tz({ ...local, disambiguation: "later" });
    assert.equal(later.instant, "2026-11-01T06:30:00.000Z");
    assert.equal(later.from.offset, "-05:00");
    assert.equal(tz({ ...local, disambiguation: "earlier" }).instant, "2026-11-01T05:30:00.000Z");
    rejects("convert_timezone", { ...local, disambiguation: "reject" }, /occurs twice in America\/New_York/);
  });

  it("converts between zones with offsets, half-hour zones, LMT and aliases", () => {
    const kolkata = tz({ dateTime: "2026-07-01T12:00:00+02:00", toZone: "Asia/Kolkata" });
    assert.deepEqual([kolkata.instant, kolkata.to.local, kolkata.to.offset], ["2026-07-01T10:00:00.000Z", "2026-07-01T15:30:00", "+05:30"]);
    const london = tz({ dateTime: "2026-03-29T01:00:00Z", toZone: "Europe/London" });
    assert.deepEqual([london.to.local, london.to.offset], ["2026-03-29T02:00:00", "+01:00"]);
    assert.equal(tz({ dateTime: "2026-03-29T00:59:59Z", toZone: "Europe/London" }).to.offset, "+00:00");
    const noLocalTime = tz({ dateTime: "2026-12-25", fromZone: "Australia/Sydney", toZone: "UTC" });
    assert.equal(noLocalTime.instant, "2026-12-24T13:00:00.000Z");
    assert.equal(noLocalTime.from.offset, "+11:00");
    const lmt = tz({ dateTime: "1850-06-01T12:00:00Z", toZone: "America/New_York" });
    assert.deepEqual([lmt.to.offset, lmt.to.local], ["-04:56:02", "1850-06-01T07:03:58"]);
    assert.equal(tz({ dateTime: lmt.to.iso, toZone: "UTC" }).instant, "1850-06-01T12:00:00.000Z", "offsets with seconds parse back");
    assert.equal(tz({ dateTime: "2026-01-01T00:00:00.123456Z", fromZone: "utc", toZone: "UTC" }).from.timeZone, "UTC");
    assert.equal(tz({ dateTime: "2026-01-01T00:00:00.123456Z", toZone: "UTC" }).to.local, "2026-01-01T00:00:00.123");
    assert.equal(tz({ dateTime: "2026-01-01 09:15+0530", toZone: "UTC" }).instant, "2026-01-01T03:45:00.000Z");
  });

  it("reports every input error with a fix", () => {
    rejects("convert_timezone", { dateTime: "2026-01-01T00:00Z", toZone: "Mars/Olympus_Mons" }, /`toZone` is not a known IANA time zone.*America\/New_York/);
    rejects("convert_timezone", { dateTime: "2026-01-01T00:00", fromZone: "EST5EDT6", toZone: "UTC" }, /`fromZone` is not a known IANA time zone/);
    rejects("convert_timezone", { dateTime: "01/02/2026 10:00", toZone: "UTC" }, /not an ISO 8601 date-time/);
    rejects("convert_timezone", { dateTime: "2026-02-30T10:00Z", toZone: "UTC" }, /out-of-range field/);
    rejects("convert_timezone", { dateTime: "2026-01-01T24:00Z", toZone: "UTC" }, /out-of-range field/);
    rejects("convert_timezone", { dateTime: "2026-06-30T23:59:60Z", toZone: "UTC" }, /leap seconds/);
    rejects("convert_timezone", { dateTime: "2026-01-01T10:00+24:00", toZone: "UTC" }, /invalid UTC offset/);
    rejects("convert_timezone", { dateTime: "2026-01-01T10:00", toZone: "UTC" }, /`fromZone` is required/);
    rejects("convert_timezone", { dateTime: "0001-01-01T00:00", fromZone: "UTC", toZone: "UTC" }, /between 0001-01-03 and 9999-12-29/);
    rejects("convert_timezone", { dateTime: "9999-12-31T00:00:00Z", toZone: "UTC" }, /between 0001-01-03 and 9999-12-29/);
  });

  it("schema rejects oversized input", () => {
    schemaRejects("convert_timezone", { dateTime: "2026-01-01T00:00:00Z" + " ".repeat(64), toZone: "UTC" }, "dateTime");
    schemaRejects("convert_timezone", { dateTime: "2026-01-01T00:00:00Z", toZone: "A".repeat(65) }, "toZone");
    schemaRejects("convert_timezone", { dateTime: "2026-01-01T00:00:00Z", toZone: "UTC", disambiguation: "nearest" }, "disambiguation");
  });

  it("local -> instant -> local round-trips outside transitions, deterministically (property)", () => {
    const zones = fc.constantFrom("America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "UTC", "Not/AZone");
    const instant = fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instant, zones, zones, fc.constantFrom("compatible", "earlier", "later", "reject"), (ms, from, to, disambiguation) => {
        const iso = new Date(ms).toISOString();
        const outcome = runTwice("convert_timezone", { dateTime: iso, toZone: to });
        assertTextIsJson(outcome);
        if (!("output" in outcome)) return;
        const target = (outcome.output.structured as any).to;
        assert.equal((outcome.output.structured as any).instant, iso);
        // The local time read back in its zone, with its own offset, is the same instant.
        assert.equal(result("convert_timezone", { dateTime: target.iso, toZone: "UTC" }).instant, iso);
        const local = runTwice("convert_timezone", { dateTime: target.local, fromZone: to, toZone: from, disambiguation });
        if ("output" in local && !(local.output.structured as any).resolution) assert.equal((local.output.structured as any).instant, iso);
      }),
      { numRuns: Math.ceil((PROPERTY_RUNS.numRuns * 2) / 3) },
    );
  });
});

describe("csv_to_json", () => {
  it("parses quoted fields, embedded delimiters and line breaks, with typing", () => {
    const csv = 'name,age,zip,member,note\r\n"Lovelace, Ada",36,02134,TRUE,"said ""hi""\r\nthen left"\r\nBob,-1.50,,false,\r\n';
    const r = result("csv_to_json", { csv });
    assert.deepEqual(r.fields, ["name", "age", "zip", "member", "note"]);
    assert.deepEqual(r.rows, [
      { name: "Lovelace, Ada", age: 36, zip: "02134", member: true, note: 'said "hi"\r\nthen left' },
      { name: "Bob", age: -1.5, zip: null, member: false, note: null },
    ]);
    assert.deepEqual([r.rowCount, r.errorCount, r.delimiter, r.linebreak, r.truncated], [2, 0, ",", "\r\n", false]);
    const untyped = result("csv_to_json", { csv, dynamicTyping: false });
    assert.deepEqual(untyped.rows[1], { name: "Bob", age: "-1.50", zip: "", member: "false", note: "" });
  });

  it("keeps values that would change as numbers as strings", () => {
    const r = result("csv_to_json", { csv: "v\n007\n12345678901234567890\n-0\n1e3\n0.5\n.5\n+1\n1e999\nNaN\n" });
    assert.deepEqual(
      r.rows.map((row: any) => row.v),
      ["007", "12345678901234567890", "-0", 1000, 0.5, ".5", "+1", "1e999", "NaN"],
    );
  });

  it("auto-detects or takes explicit delimiters, and returns arrays without a header", () => {
    assert.deepEqual(result("csv_to_json", { csv: "a;b\n1;2\n" }).rows, [{ a: 1, b: 2 }]);
    assert.equal(result("csv_to_json", { csv: "a;b\n1;2\n" }).delimiter, ";");
    assert.deepEqual(result("csv_to_json", { csv: "a\tb\n1\t2", delimiter: "\\t" }).rows, [{ a: 1, b: 2 }]);
    assert.deepEqual(result("csv_to_json", { csv: "a|b\nx|y", delimiter: "|", header: false }).rows, [["a", "b"], ["x", "y"]]);
    assert.deepEqual(result("csv_to_json", { csv: "a,b;c\n1,2;3", delimiter: ";" }).rows, [{ "a,b": "1,2", c: 3 }]);
    const single = result("csv_to_json", { csv: "word\nalpha\nbeta" });
    assert.deepEqual(single.rows, [{ word: "alpha" }, { word: "beta" }]);
    assert.match(single.warnings[0], /auto-detect/);
  });

  it("skips empty lines by default and reports field-count errors with record and line numbers", () => {
    const csv = "\na,b\n1,2\n\n3\n4,5,6\n";
    const r = result("csv_to_json", { csv });
    assert.deepEqual(r.rows, [{ a: 1, b: 2 }, { a: 3, b: null }, { a: 4, b: 5, __extra: [6] }]);
    assert.deepEqual(r.errors, [
      { code: "TooFewFields", message: "expected 2 fields but parsed 1; missing fields are null", row: 3, line: 5 },
      { code: "TooManyFields", message: 'expected 2 fields but parsed 3; extra fields are in "__extra"', row: 4, line: 6 },
    ]);
    const kept = result("csv_to_json", { csv: "a,b\n1,2\n\n3,4", skipEmptyLines: false, delimiter: "," });
    assert.deepEqual(kept.rows, [{ a: 1, b: 2 }, { a: null, b: null }, { a: 3, b: 4 }]);
    assert.deepEqual(kept.errors.map((e: any) => [e.code, e.row, e.line]), [["TooFewFields", 3, 3]]);
  });

  it("reports malformed quotes with the line they start on", () => {
    const r = result("csv_to_json", { csv: 'a,b\n1,"multi\nline"\n2,"unterminated\n3,4\n' });
    assert.equal(r.rows[0].b, "multi\nline");
    assert.ok(r.errorCount >= 1);
    assert.deepEqual([r.errors[0].code, r.errors[0].row, r.errors[0].line], ["MissingQuotes", 3, 4]);
  });

  it("makes header names unique and safe, and limits rows", () => {
    const r = result("csv_to_json", { csv: "__proto__,,a,a\n1,2,3,4" });
    assert.deepEqual(r.fields, ["__proto__", "column_2", "a", "a_2"]);
    assert.ok(Object.hasOwn(r.rows[0], "__proto__"));
    assert.equal(r.rows[0]["__proto__"], 1);
    assert.equal(Object.getPrototypeOf(r.rows[0]), Object.prototype);
    assert.match(r.warnings.join(" "), /made unique/);
    const limited = result("csv_to_json", { csv: "n\n1\n2\n3\n4", maxRows: 2, delimiter: "," });
    assert.deepEqual([limited.rows, limited.truncated], [[{ n: 1 }, { n: 2 }], true]);
    const exact = result("csv_to_json", { csv: "n\n1\n2", maxRows: 2, delimiter: "," });
    assert.equal(exact.truncated, false);
    assert.equal(result("csv_to_json", { csv: "", header: false }).rowCount, 0);
  });

  it("reports every input error with a fix", () => {
    rejects("csv_to_json", { csv: "" }, /no header row/);
    rejects("csv_to_json", { csv: "\n\n" }, /no header row/);
    rejects("csv_to_json", { csv: "a,b", delimiter: '"' }, /cannot contain a double quote/);
    rejects("csv_to_json", { csv: "a,b", delimiter: "\n" }, /line break/);
  });

  it("schema rejects oversized input", () => {
    schemaRejects("csv_to_json", { csv: "a".repeat(MiB + 1) }, "csv");
    schemaRejects("csv_to_json", { csv: "a", maxRows: 100_001 }, "maxRows");
    schemaRejects("csv_to_json", { csv: "a", delimiter: "" }, "delimiter");
  });

  it("is deterministic and only fails with ToolInputError (property)", () => {
    const csv = fc.array(fc.constantFrom("a", "1", "2.5", ",", ";", "\t", '"', "\n", "\r\n", " ", "true", "", "x y"), { maxLength: 40 }).map((p) => p.join(""));
    fc.assert(
      fc.property(csv, fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom("auto", ",", ";", "\\t"), fc.integer({ min: 1, max: 5 }), (text, header, dynamicTyping, skipEmptyLines, delimiter, maxRows) => {
        const outcome = runTwice("csv_to_json", { csv: text, header, dynamicTyping, skipEmptyLines, delimiter, maxRows });
        assertTextIsJson(outcome);
        if ("output" in outcome) {
          const s = outcome.output.structured as any;
          assert.ok(s.rows.length <= maxRows);
          for (const e of s.errors) assert.ok(e.row >= 1 && e.line >= 1 && e.line <= text.split(/\r\n|\n|\r/).length + 1);
        }
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("text_stats", () => {
  it("counts words, sentences, lines and frequencies of a realistic text", () => {
    const r = result("text_stats", { text: "Hello, world! Hello again.\nThe end" });
    assert.deepEqual(
      {
        characters: r.characters,
        codePoints: r.codePoints,
        graphemes: r.graphemes,
        words: r.words,
        uniqueWords: r.uniqueWords,
        sentences: r.sentences,
        lines: r.lines,
        averageWordLength: r.averageWordLength,
      },
      { characters: 34, codePoints: 34, graphemes: 34, words: 6, uniqueWords: 5, sentences: 3, lines: 2, averageWordLength: 4.33 },
    );
    // 6 words / 238 wpm = 0.0252 min = 1.51 s
    assert.deepEqual(r.readingTime, { wordsPerMinute: 238, minutes: 0.03, seconds: 2 });
    assert.deepEqual(r.topWords, [
      { word: "hello", count: 2 },
      { word: "again", count: 1 },
      { word: "end", count: 1 },
      { word: "the", count: 1 },
      { word: "world", count: 1 },
    ]);
  });

  it("distinguishes UTF-16 units, code points and grapheme clusters", () => {
    // family emoji: 3 emoji + 2 ZWJ = 5 code points, 8 UTF-16 units, 1 grapheme; e + combining acute: 2 code points, 1 grapheme
    const r = result("text_stats", { text: "👩‍👩‍👧 e\u0301" });
    assert.deepEqual([r.characters, r.codePoints, r.graphemes], [11, 8, 3]);
    const cafe = result("text_stats", { text: "Café cafe\u0301 CAFÉ", topN: 1 });
    assert.deepEqual(cafe.topWords, [{ word: "café", count: 3 }]);
    assert.equal(cafe.averageWordLength, 4);
  });

  it("breaks frequency ties alphabetically and honours topN", () => {
    const r = result("text_stats", { text: "pear apple fig apple pear date", topN: 3 });
    assert.deepEqual(r.topWords, [
      { word: "apple", count: 2 },
      { word: "pear", count: 2 },
      { word: "date", count: 1 },
    ]);
    assert.deepEqual(result("text_stats", { text: "a b", topN: 0 }).topWords, []);
  });

  it("counts lines and reading time at the edges", () => {
    const lines = (text: string) => result("text_stats", { text }).lines;
    assert.deepEqual([lines(""), lines("x"), lines("\n"), lines("a\nb"), lines("a\nb\n"), lines("a\r\nb\rc"), lines("a\u2028b")], [0, 1, 1, 2, 2, 3, 2]);
    const empty = result("text_stats", { text: "" });
    assert.deepEqual([empty.words, empty.sentences, empty.averageWordLength, empty.readingTime.seconds], [0, 0, 0, 0]);
    const long = result("text_stats", { text: "word ".repeat(476) });
    assert.deepEqual(long.readingTime, { wordsPerMinute: 238, minutes: 2, seconds: 120 });
  });

  it("segments by locale", () => {
    const ja = result("text_stats", { text: "今日は良い天気です。", locale: "ja" });
    assert.ok(ja.words > 1, `Japanese text is split into several words (${ja.words})`);
    assert.equal(ja.sentences, 1);
    assert.equal(result("text_stats", { text: "x", locale: "EN-gb" }).locale, "en-GB");
  });

  it("reports every input error with a fix", () => {
    rejects("text_stats", { text: "x", locale: "not a locale!" }, /not a valid BCP 47 language tag/);
  });

  it("schema rejects oversized input", () => {
    schemaRejects("text_stats", { text: "a".repeat(MiB + 1) }, "text");
    schemaRejects("text_stats", { text: "a", topN: 101 }, "topN");
  });

  it("is deterministic and consistent (property)", () => {
    const text = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 30 }), fc.lorem({ maxCount: 20, mode: "sentences" }));
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 5 }), fc.constantFrom("en", "de", "ja", "th", "zz-ZZ"), (t, topN, locale) => {
        const outcome = runTwice("text_stats", { text: t, topN, locale });
        assertTextIsJson(outcome);
        if (!("output" in outcome)) return;
        const s = outcome.output.structured as any;
        assert.equal(s.characters, t.length);
        assert.ok(s.graphemes <= s.codePoints && s.codePoints <= s.characters);
        assert.ok(s.uniqueWords <= s.words && s.topWords.length <= topN);
        assert.equal(
          s.topWords.reduce((n: number, w: any) => n + w.count, 0) <= s.words,
          true,
        );
        for (let i = 1; i < s.topWords.length; i++) {
          const [a, b] = [s.topWords[i - 1], s.topWords[i]];
          assert.ok(a.count > b.count || (a.count === b.count && a.word < b.word));
        }
      }),
      PROPERTY_RUNS,
    );
  });
});

describe("json_diff", () => {
  it("lists added, removed and changed paths", () => {
    const r = result("json_diff", {
      before: { name: "agentry", version: 1, tags: ["a", "b", "c"], owner: { id: 7, email: "x@y" }, gone: true },
      after: { name: "agentry", version: 2, tags: ["a", "B"], owner: { id: 7, email: "x@y", org: null }, extra: [1] },
    });
    assert.equal(r.equal, false);
    assert.deepEqual(r.counts, { added: 2, removed: 2, changed: 2 });
    assert.deepEqual(r.changes, [
      { op: "added", path: "$['extra']", pointer: "/extra", after: [1] },
      { op: "removed", path: "$['gone']", pointer: "/gone", before: true },
      { op: "added", path: "$['owner']['org']", pointer: "/owner/org", after: null },
      { op: "changed", path: "$['tags'][1]", pointer: "/tags/1", before: "b", after: "B" },
      { op: "removed", path: "$['tags'][2]", pointer: "/tags/2", before: "c" },
      { op: "changed", path: "$['version']", pointer: "/version", before: 1, after: 2 },
    ]);
  });

  it("treats type changes as changes and equal values as equal", () => {
    assert.deepEqual(result("json_diff", { before: { a: [1] }, after: { a: { 0: 1 } } }).changes, [
      { op: "changed", path: "$['a']", pointer: "/a", before: [1], after: { 0: 1 } },
    ]);
    assert.deepEqual(result("json_diff", { before: null, after: 0 }).counts, { added: 0, removed: 0, changed: 1 });
    assert.equal(result("json_diff", { before: { b: 1, a: [1.0, "x"] }, after: { a: [1, "x"], b: 1 } }).equal, true);
    assert.equal(result("json_diff", { before: 0, after: -0 }).equal, true);
  });

  it("truncates at maxChanges", () => {
    const r = result("json_diff", { before: [], after: Array.from({ length: 20 }, (_, i) => i), maxChanges: 5 });
    assert.deepEqual([r.changes.length, r.truncated, r.changes[4].pointer], [5, true, "/4"]);
  });

  it("schema rejects oversized and non-JSON input", () => {
    schemaRejects("json_diff", { before: "x".repeat(MiB), after: 1 }, "before");
    schemaRejects("json_diff", { before: 1, after: { f: () => 1 } }, "after");
    schemaRejects("json_diff", { before: 1, after: 2, maxChanges: 0 }, "maxChanges");
    schemaRejects("json_diff", { after: 2 }, "before");
    let hostile: unknown = 1;
    for (let i = 0; i < 100_000; i++) hostile = [hostile];
    schemaRejects("json_diff", { before: hostile, after: 1 }, "before"); // iterative check: no stack overflow
  });

  it("diff(x, x) is empty; changes describe exactly what differs (property)", () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(json, json, (a, b) => {
        assert.equal(result("json_diff", { before: a, after: a }).equal, true);
        const outcome = runTwice("json_diff", { before: a, after: b });
        assertTextIsJson(outcome);
        assert.ok("output" in outcome);
        const s = outcome.output.structured as any;
        assert.equal(s.truncated, false);
        assert.equal(s.equal, !differs(a, b));
        assert.equal(s.changes.length, s.counts.added + s.counts.removed + s.counts.changed);
      }),
      PROPERTY_RUNS,
    );
    function differs(a: unknown, b: unknown): boolean {
      const canon = (v: unknown): string =>
        v !== null && typeof v === "object" && !Array.isArray(v)
          ? "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canon((v as any)[k])).join(",") + "}"
          : Array.isArray(v)
            ? "[" + v.map(canon).join(",") + "]"
            : JSON.stringify(v);
      return canon(a) !== canon(b);
    }
  });
});

describe("markdown_table", () => {
  it("renders rows as an aligned GitHub-flavoured table", () => {
    const out = run("markdown_table", {
      rows: [
        { tool: "json_query", calls: 12, note: "a|b" },
        { tool: "regex_extract", calls: 3.5, note: "line1\nline2", extra: { k: [1] } },
      ],
    });
    assert.equal(
      out.text,
      [
        "| tool          | calls | note           | extra     |",
        "| ------------- | ----: | -------------- | --------- |",
        "| json_query    |    12 | a\\|b           |           |",
        '| regex_extract |   3.5 | line1<br>line2 | {"k":[1]} |',
      ].join("\n"),
    );
    assert.deepEqual(out.structured?.columns, ["tool", "calls", "note", "extra"]);
  });

  it("selects and orders columns, aligns explicitly, and truncates long cells", () => {
    const out = run("markdown_table", { rows: [{ a: "x", b: "long text here" }], columns: ["b", "a"], align: "center", maxCellLength: 5 });
    assert.equal(out.text, ["|   b   |  a  |", "| :---: | :-: |", "| long… |  x  |"].join("\n"));
    const header = run("markdown_table", { rows: [], columns: ["only"] }).text;
    assert.equal(header, "| only |\n| ---- |");
    assert.equal(run("markdown_table", { rows: [{ p: "C:\\dir" }] }).text.split("\n")[2], "| C:\\\\dir |");
  });

  it("reports every input error with a fix", () => {
    rejects("markdown_table", { rows: [{ a: 1 }, [1, 2]] }, /rows\[1\] is not an object/);
    rejects("markdown_table", { rows: [{ a: 1 }], columns: ["a", "a"] }, /more than once/);
    rejects("markdown_table", { rows: [] }, /no columns/);
    rejects("markdown_table", { rows: [{}] }, /no columns/);
    const wide = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`c${i}`, i]));
    rejects("markdown_table", { rows: [wide] }, /201 distinct keys/);
    const padded = [{ a: "x".repeat(10_000) }, ...Array.from({ length: 9_999 }, () => ({}))];
    rejects("markdown_table", { rows: padded, maxCellLength: 10_000 }, /would be \d+ characters/);
  });

  it("schema rejects oversized input", () => {
    schemaRejects("markdown_table", { rows: Array.from({ length: 10_001 }, () => ({ a: 1 })) }, "rows");
    schemaRejects("markdown_table", { rows: [], columns: Array.from({ length: 201 }, (_, i) => `c${i}`) }, "columns");
    schemaRejects("markdown_table", { rows: [{ a: "x".repeat(MiB + 1) }] }, "rows.0");
  });

  it("always yields one line per row with a constant column count (property)", () => {
    const row = fc.dictionary(fc.constantFrom("a", "b", "c|d", "é", " "), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.constantFrom("left", "right", "center", "auto"), (rows, align) => {
        const outcome = runTwice("markdown_table", { rows, align });
        if (!("output" in outcome)) return;
        const lines = outcome.output.text.split("\n");
        assert.equal(lines.length, rows.length + 2);
        const columns = (outcome.output.structured as any).columns.length;
        // every line has columns + 1 unescaped pipes
        for (const line of lines) assert.equal(line.replace(/\\\\/g, "").replace(/\\\|/g, "").split("|").length, columns + 2);
      }),
      PROPERTY_RUNS,
    );
  });
});
