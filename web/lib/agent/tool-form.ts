/**
 * The rules between a tool's JSON Schema and the playground's generated form (react-jsonschema-form,
 * components/agent/tool-form.tsx): which schema the form renders, the arguments a submitted form
 * becomes, and how validation errors read. Pure functions, so they are tested without a browser.
 */
import { createErrorHandler, type FormValidation, type RJSFSchema, type RJSFValidationError, type UiSchema } from "@rjsf/utils";

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * For a tool without a usable input schema (absent, not JSON, or not an object schema): any object,
 * each property a JSON value the caller names and types in.
 */
export const ANY_ARGUMENTS_SCHEMA: RJSFSchema = Object.freeze({
  type: "object",
  title: "Arguments",
  description: "The tool publishes no input schema: add each argument by name, its value as JSON.",
  additionalProperties: true,
});

/** The schema the form renders: the tool's own object schema, or {@link ANY_ARGUMENTS_SCHEMA}. */
export function toolFormSchema(schema: unknown): RJSFSchema {
  if (!isRecord(schema) || schema.type !== "object") return ANY_ARGUMENTS_SCHEMA;
  return schema as RJSFSchema;
}

/** Strings that may hold more than this many characters are documents (CSV, text, JSON text): a text area. */
export const LONG_TEXT_CHARS = 4096;

/** How the form shows the schema's properties: long text in text areas; the rest as the library chooses. */
export function toolFormUiSchema(schema: RJSFSchema): UiSchema {
  const ui: UiSchema = { "ui:globalOptions": { orderable: false, copyable: false } };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (isRecord(property) && property.type === "string" && property.enum === undefined && typeof property.maxLength === "number" && property.maxLength > LONG_TEXT_CHARS) {
      ui[name] = { "ui:widget": "textarea", "ui:options": { rows: 4 } };
    }
  }
  return ui;
}

/**
 * The tool arguments from the form's data. The form leaves cleared optional fields as `undefined`;
 * they are dropped (at every depth) so the arguments, and the voucher's requestHash over them, hold
 * exactly the keys the caller gave, as a strict tool schema requires.
 */
export function toolArguments(formData: unknown): Record<string, unknown> {
  const value = withoutUndefined(formData);
  return isRecord(value) ? value : {};
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  );
}

const TYPE_PROMPTS: Record<string, string> = {
  integer: "Enter a whole number.",
  number: "Enter a number.",
  string: "Enter text.",
  boolean: "Tick or untick the box.",
  object: 'Enter a JSON object (e.g. {"a": 1}).',
  array: "Enter a list.",
};

/** Validation messages in the dApp's wording: what to enter, not the validator's keyword. */
export function readableErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  return errors.map((error) => {
    const params = isRecord(error.params) ? error.params : {};
    const message = (() => {
      switch (error.name) {
        case "required":
          return "Required.";
        case "type":
          return TYPE_PROMPTS[String(params.type)] ?? `Enter a value of type ${String(params.type)}.`;
        case "enum":
          return "Choose one of the options.";
        case "minimum":
          return `Enter at least ${String(params.limit)}.`;
        case "maximum":
          return `Enter at most ${String(params.limit)}.`;
        case "minLength":
          return `Enter at least ${String(params.limit)} character${params.limit === 1 ? "" : "s"}.`;
        case "maxLength":
          return `Enter at most ${String(params.limit)} characters.`;
        case "maxItems":
          return `Give at most ${String(params.limit)} items.`;
        case "additionalProperties":
          return `The tool accepts no argument named “${String(params.additionalProperty)}”.`;
        default:
          return error.message;
      }
    })();
    return { ...error, message, stack: `${error.property ?? ""} ${message ?? ""}`.trim() };
  });
}

/** Where a field is in the form's data: object keys and array indices from the root. */
export type FieldPath = ReadonlyArray<string | number>;

/** A field's text that is not yet valid JSON: keyed by {@link fieldPathKey}, checked on submit. */
export type PendingJsonText = Map<string, FieldPath>;

export const fieldPathKey = (path: FieldPath) => JSON.stringify(path);

/** The error a JSON-valued field shows while its text does not parse. */
export const INVALID_JSON_MESSAGE = 'Enter valid JSON (e.g. {"a": 1}, [1, 2], "text" or 3).';

/**
 * The form's `customValidate`: an error at every path whose JSON text does not parse. The error
 * handler of a path is created when missing (the form only creates handlers where its data has values).
 */
export function addPendingJsonErrors<T>(errors: FormValidation<T>, pending: PendingJsonText): FormValidation<T> {
  for (const path of pending.values()) {
    let handler: FormValidation = errors;
    for (const segment of path) handler = handler[String(segment)] ??= createErrorHandler<unknown>(undefined);
    handler.addError(INVALID_JSON_MESSAGE);
  }
  return errors;
}
