/**
 * The playground's generated form, without a browser: the library's own default-state and
 * validation (the same validator the form uses) over the built-in tools' published schemas, and the
 * adapter that turns the form's data into the arguments the voucher's requestHash covers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { getDefaultFormState, toErrorSchema, type RJSFSchema } from "@rjsf/utils";
import { builtinTools } from "../../worker/src/tools/index.ts";
import { ANY_ARGUMENTS_SCHEMA, INVALID_JSON_MESSAGE, addPendingJsonErrors, fieldPathKey, readableErrors, toolArguments, toolFormSchema, toolFormUiSchema, type PendingJsonText } from "../../web/lib/agent/tool-form.ts";
import { toolFormValidator } from "../../web/lib/agent/tool-form-validator.ts";

/** What a caller types into each built-in tool's required fields. */
const REQUIRED_INPUTS: Record<string, Record<string, unknown>> = {
  json_query: { path: "$.a" },
  regex_extract: { text: "2026-03-08", pattern: "(\\d+)" },
  hash_encode: { operation: "hash", input: "abc" },
  convert_units: { value: 1, from: "km", to: "m" },
  convert_timezone: { dateTime: "2026-03-08T06:30:00Z", toZone: "Europe/Paris" },
  csv_to_json: { csv: "city,population\nLisbon,545923" },
  text_stats: { text: "one two two" },
  json_diff: { before: { a: 1 }, after: { a: 2 } },
  markdown_table: { rows: [{ a: 1 }] },
};

/** A tool's input schema as the dApp receives it: published by the worker, stored as JSON text. */
const publishedSchema = (tool: (typeof builtinTools)[number]): RJSFSchema => JSON.parse(JSON.stringify(z.toJSONSchema(tool.inputSchema, { io: "input" }))) as RJSFSchema;

/** The form's data on submit: its defaults, then the caller's entries. */
function submitted(schema: RJSFSchema, entries: Record<string, unknown>): Record<string, unknown> {
  return { ...(getDefaultFormState(toolFormValidator, schema, {}) as Record<string, unknown>), ...entries };
}

test("every built-in tool's form, with its defaults and the required fields filled, passes the form's validation and the tool's own schema", () => {
  assert.deepEqual(Object.keys(REQUIRED_INPUTS).sort(), builtinTools.map((t) => t.name).sort(), "a sample for every built-in tool");
  for (const tool of builtinTools) {
    const schema = toolFormSchema(publishedSchema(tool));
    const formData = submitted(schema, REQUIRED_INPUTS[tool.name]!);
    assert.deepEqual(toolFormValidator.validateFormData(formData, schema).errors, [], tool.name);
    const args = toolArguments(formData);
    const parsed = tool.inputSchema.safeParse(args);
    assert.ok(parsed.success, `${tool.name}: ${parsed.success ? "" : z.prettifyError(parsed.error)}`);
  }
});

test("defaults from the schema are filled in, and the submitted arguments carry them", () => {
  const csv = builtinTools.find((t) => t.name === "csv_to_json")!;
  const args = toolArguments(submitted(toolFormSchema(publishedSchema(csv)), { csv: "a\n1" }));
  assert.deepEqual(args, { csv: "a\n1", header: true, delimiter: "auto", dynamicTyping: true, skipEmptyLines: true, maxRows: 1000 });
});

test("a cleared optional field is left out of the arguments at every depth, so a strict schema accepts them", () => {
  const formData = { operation: "hash", input: "abc", algorithm: undefined, nested: { keep: [1, { drop: undefined, x: null }], drop: undefined } };
  const args = toolArguments(formData);
  assert.deepEqual(args, { operation: "hash", input: "abc", nested: { keep: [1, { x: null }] } });
  assert.equal(JSON.stringify(args), '{"operation":"hash","input":"abc","nested":{"keep":[1,{"x":null}]}}');
  const hash = builtinTools.find((t) => t.name === "hash_encode")!;
  assert.ok(hash.inputSchema.safeParse(toolArguments({ operation: "hash", input: "abc", algorithm: undefined })).success);
  assert.deepEqual(toolArguments(undefined), {});
});

test("missing required values and out-of-range numbers are errors on their own fields, in words that say what to enter", () => {
  const schema = toolFormSchema(publishedSchema(builtinTools.find((t) => t.name === "json_query")!));
  const { errors } = toolFormValidator.validateFormData({ maxResults: 0, extra: 1 }, schema, undefined, readableErrors);
  const byField = toErrorSchema(errors) as Record<string, { __errors?: string[] }>;
  assert.deepEqual(byField.path?.__errors, ["Required."]);
  assert.deepEqual(byField.maxResults?.__errors, ["Enter at least 1."]);
  assert.match(errors.map((e) => e.message).join("\n"), /no argument named “extra”/);
  const stats = toolFormSchema(publishedSchema(builtinTools.find((t) => t.name === "text_stats")!));
  const wrongType = toolFormValidator.validateFormData({ text: "x", topN: 2.5 }, stats, undefined, readableErrors).errors;
  assert.deepEqual(wrongType.map((e) => [e.property, e.message]), [[".topN", "Enter a whole number."]]);
});

test("JSON text that does not parse blocks the submit with an error at its field, nested or not", () => {
  const pending: PendingJsonText = new Map([
    [fieldPathKey(["before"]), ["before"]],
    [fieldPathKey(["rows", 1]), ["rows", 1]],
  ]);
  const errors = toolFormValidator.validateFormData({ before: "{oops", rows: [{}] }, { type: "object" }, (_data, handler) => addPendingJsonErrors(handler, pending)).errorSchema as Record<string, unknown>;
  assert.deepEqual(errors.before, { __errors: [INVALID_JSON_MESSAGE] });
  assert.deepEqual((errors.rows as Record<string, unknown>)["1"], { __errors: [INVALID_JSON_MESSAGE] });
});

test("a tool without an object input schema gets a form for named JSON arguments", () => {
  assert.equal(toolFormSchema(null), ANY_ARGUMENTS_SCHEMA);
  assert.equal(toolFormSchema({ type: "array" }), ANY_ARGUMENTS_SCHEMA);
  const schema = { type: "object", properties: { a: { type: "string" } } };
  assert.equal(toolFormSchema(schema), schema);
  assert.deepEqual(toolFormValidator.validateFormData({ anything: [1] }, ANY_ARGUMENTS_SCHEMA).errors, []);
});

test("strings that may be documents get a text area; short strings, choices and numbers keep the library's inputs", () => {
  const csv = toolFormUiSchema(toolFormSchema(publishedSchema(builtinTools.find((t) => t.name === "csv_to_json")!)));
  assert.equal(csv.csv?.["ui:widget"], "textarea");
  assert.equal(csv.delimiter, undefined);
  const hash = toolFormUiSchema(toolFormSchema(publishedSchema(builtinTools.find((t) => t.name === "hash_encode")!)));
  assert.deepEqual(Object.keys(hash).filter((k) => !k.startsWith("ui:")), ["input"]);
});
