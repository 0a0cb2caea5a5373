/**
 * The register wizard's hand-written validation (web/lib/registration-draft.ts) against the
 * protocol's schema, which the content store applies on upload: every draft the wizard accepts
 * must give a file the schema accepts, and each kind of mistake must be caught before upload.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registrationFileSchema } from "../../protocol/src/registration.ts";
import { EMPTY_DRAFT, registrationFileOf, suggestedPriceEth, validateDraft, type RegistrationDraft } from "../../web/lib/registration-draft.ts";

const valid: RegistrationDraft = {
  name: "Weather tools",
  description: "Forecasts.",
  image: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
  mcpEndpoint: "https://mcp.example.org/mcp",
  tools: [
    { name: "forecast", description: "", inputSchema: '{"type":"object","properties":{"city":{"type":"string"}}}', priceEth: "0.001", tags: "weather, forecast" },
    { name: "alerts/v2", description: "Alerts.", inputSchema: '{"type":"object"}', priceEth: "", tags: "" },
  ],
};

describe("registration draft validation", () => {
  it("accepts a complete draft, and the protocol's schema accepts the file it gives", () => {
    assert.deepEqual(validateDraft(valid), {});
    const file = registrationFileSchema.parse(registrationFileOf(valid));
    assert.equal(file.agentry.tools[0]!.price, "1000000000000000");
    assert.deepEqual(file.agentry.tools[0]!.tags, ["weather", "forecast"]);
    assert.equal(file.agentry.tools[1]!.price, undefined);
  });

  const mistakes: Array<[string, (d: RegistrationDraft) => RegistrationDraft, string]> = [
    ["an empty name", (d) => ({ ...d, name: " " }), "name"],
    ["a non-http MCP endpoint", (d) => ({ ...d, mcpEndpoint: "ftp://example.org" }), "mcpEndpoint"],
    ["an image that is not a URL", (d) => ({ ...d, image: "picture.png" }), "image"],
    ["no tools", (d) => ({ ...d, tools: [] }), "tools"],
    ["a duplicate tool name", (d) => ({ ...d, tools: [d.tools[0]!, { ...d.tools[1]!, name: "forecast" }] }), "tools.1.name"],
    ["a tool name with spaces", (d) => ({ ...d, tools: [{ ...d.tools[0]!, name: "get forecast" }] }), "tools.0.name"],
    ["an input schema that is not JSON", (d) => ({ ...d, tools: [{ ...d.tools[0]!, inputSchema: "{" }] }), "tools.0.inputSchema"],
    ["an input schema that is not an object schema", (d) => ({ ...d, tools: [{ ...d.tools[0]!, inputSchema: '{"type":"string"}' }] }), "tools.0.inputSchema"],
    ["a price that is not an ETH amount", (d) => ({ ...d, tools: [{ ...d.tools[0]!, priceEth: "1e-3" }] }), "tools.0.priceEth"],
    ["a tag over 64 characters", (d) => ({ ...d, tools: [{ ...d.tools[0]!, tags: "x".repeat(65) }] }), "tools.0.tags"],
  ];
  for (const [what, mutate, field] of mistakes) {
    it(`catches ${what} before upload`, () => {
      const errors = validateDraft(mutate(valid));
      assert.ok(errors[field], `expected an error on ${field}, got ${JSON.stringify(errors)}`);
    });
  }

  it("flags every required field of the empty draft", () => {
    assert.deepEqual(Object.keys(validateDraft(EMPTY_DRAFT)).sort(), ["mcpEndpoint", "name", "tools.0.name"]);
  });

  it("suggests the highest advertised price as the on-chain price", () => {
    assert.equal(suggestedPriceEth({ ...valid, tools: [{ ...valid.tools[0]!, priceEth: "0.0005" }, { ...valid.tools[1]!, priceEth: "0.002" }] }), "0.002");
    assert.equal(suggestedPriceEth({ ...valid, tools: [{ ...valid.tools[1]! }] }), "");
  });
});
