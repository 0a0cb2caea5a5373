/**
 * A small JSON Schema form model for the playground: the flat object schemas MCP tools use become
 * typed fields (text, number, integer, checkbox, choice); anything nested (objects, arrays, unions)
 * becomes a JSON field. Pure functions, so the rules are tested without a browser.
 */
export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "json";

export interface SchemaField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description: string | null;
  /** For "enum": the allowed values, as JSON text (so numbers and strings both round-trip). */
  options: string[];
  /** Initial form value (text for inputs, "true"/"false" for checkboxes). */
  initial: string;
}

/** The keywords the form reads from one property's schema. */
interface PropertySchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The known keywords of a property's schema, those of the wrong type dropped (by hand: no zod in the browser bundle). */
function propertyOf(raw: unknown): PropertySchema {
  if (!isRecord(raw)) return {};
  const type = typeof raw.type === "string" || (Array.isArray(raw.type) && raw.type.every((t) => typeof t === "string")) ? (raw.type as string | string[]) : undefined;
  return {
    type,
    description: typeof raw.description === "string" ? raw.description : undefined,
    enum: Array.isArray(raw.enum) ? raw.enum : undefined,
    default: raw.default,
  };
}

function kindOf(property: PropertySchema): FieldKind {
  if (property.enum && property.enum.length > 0) return "enum";
  const type = Array.isArray(property.type) ? property.type.filter((t) => t !== "null") : property.type;
  const single = Array.isArray(type) ? (type.length === 1 ? type[0] : undefined) : type;
  if (single === "string" || single === "number" || single === "integer" || single === "boolean") return single;
  return "json";
}

function initialValue(kind: FieldKind, property: PropertySchema): string {
  const value = property.default;
  if (value === undefined) return kind === "boolean" ? "false" : "";
  if (kind === "string") return typeof value === "string" ? value : "";
  if (kind === "json") return JSON.stringify(value, null, 2);
  return JSON.stringify(value) ?? "";
}

/** The fields of a tool's input schema, or null when it is not an object schema (use raw JSON then). */
export function schemaFields(schema: unknown): SchemaField[] | null {
  if (!isRecord(schema) || (schema.type !== undefined && schema.type !== "object")) return null;
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : []);
  return Object.entries(properties).map(([name, raw]) => {
    const property = propertyOf(raw);
    const kind = isRecord(raw) ? kindOf(property) : "json";
    return {
      name,
      kind,
      required: required.has(name),
      description: property.description ?? null,
      options: kind === "enum" ? (property.enum ?? []).map((v) => JSON.stringify(v)) : [],
      initial: initialValue(kind, property),
    };
  });
}

export type FormArguments = { ok: true; arguments: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/**
 * The tool arguments from form values: empty optional fields are left out, empty required ones
 * and values of the wrong type are errors (by field name) that say what to enter.
 */
export function argumentsFromForm(fields: readonly SchemaField[], values: Readonly<Record<string, string>>): FormArguments {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const text = values[field.name] ?? "";
    if (field.kind === "boolean") {
      args[field.name] = text === "true";
      continue;
    }
    if (text.trim() === "") {
      if (field.required) errors[field.name] = "Required.";
      continue;
    }
    switch (field.kind) {
      case "string":
        args[field.name] = text;
        break;
      case "number":
      case "integer": {
        const value = Number(text);
        if (!Number.isFinite(value)) errors[field.name] = "Enter a number.";
        else if (field.kind === "integer" && !Number.isInteger(value)) errors[field.name] = "Enter a whole number.";
        else args[field.name] = value;
        break;
      }
      case "enum":
      case "json":
        try {
          args[field.name] = JSON.parse(text) as unknown;
        } catch {
          errors[field.name] = field.kind === "enum" ? "Choose one of the options." : "Enter valid JSON (e.g. {\"a\": 1} or [1, 2]).";
        }
        break;
    }
  }
  return Object.keys(errors).length === 0 ? { ok: true, arguments: args } : { ok: false, errors };
}
