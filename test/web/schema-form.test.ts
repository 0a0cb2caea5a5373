import { test } from "node:test";
import assert from "node:assert/strict";
import { argumentsFromForm, schemaFields } from "../../web/lib/agent/schema-form.ts";

const schema = {
  type: "object",
  properties: {
    text: { type: "string", description: "What to search" },
    limit: { type: "integer", default: 10 },
    ratio: { type: "number" },
    strict: { type: "boolean", default: true },
    mode: { enum: ["fast", "exact", 3] },
    document: { type: "object" },
    nullable: { type: ["string", "null"] },
  },
  required: ["text", "document"],
};

test("a flat object schema becomes typed fields with defaults and required flags", () => {
  const fields = schemaFields(schema);
  assert.ok(fields);
  assert.deepEqual(
    fields.map((f) => [f.name, f.kind, f.required, f.initial]),
    [
      ["text", "string", true, ""],
      ["limit", "integer", false, "10"],
      ["ratio", "number", false, ""],
      ["strict", "boolean", false, "true"],
      ["mode", "enum", false, ""],
      ["document", "json", true, ""],
      ["nullable", "string", false, ""],
    ],
  );
  assert.deepEqual(fields.find((f) => f.name === "mode")?.options, ['"fast"', '"exact"', "3"]);
  assert.equal(fields[0]?.description, "What to search");
});

test("a schema that is not an object schema has no fields (the playground asks for raw JSON)", () => {
  assert.equal(schemaFields({ type: "array" }), null);
  assert.equal(schemaFields("not a schema"), null);
  assert.deepEqual(schemaFields({ type: "object" }), []);
});

test("form values become typed arguments; empty optional fields are left out", () => {
  const fields = schemaFields(schema)!;
  const result = argumentsFromForm(fields, { text: "hi", limit: "5", ratio: "", strict: "false", mode: "3", document: '{"a":[1]}' });
  assert.deepEqual(result, { ok: true, arguments: { text: "hi", limit: 5, strict: false, mode: 3, document: { a: [1] } } });
});

test("missing required values and wrong types are errors by field", () => {
  const fields = schemaFields(schema)!;
  const result = argumentsFromForm(fields, { text: "", limit: "2.5", ratio: "abc", document: "{oops" });
  assert.equal(result.ok, false);
  assert.deepEqual(Object.keys(result.ok ? {} : result.errors).sort(), ["document", "limit", "ratio", "text"]);
  assert.match(result.ok ? "" : result.errors.limit!, /whole number/);
});
