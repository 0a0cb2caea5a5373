"use client";
import type { SchemaField } from "@/lib/agent/schema-form";

/** Inputs for the fields of a tool's input schema (see lib/agent/schema-form.ts for the rules). */
export function SchemaFormFields({ idPrefix, fields, errors }: { idPrefix: string; fields: SchemaField[]; errors: Record<string, string> }) {
  return (
    <>
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const error = errors[field.name];
        const describedBy = [field.description ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
        const common = { id, name: field.name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy } as const;
        const label = `${field.name}${field.required ? "" : " (optional)"}`;
        return (
          <div key={field.name} className="field">
            {field.kind === "boolean" ? (
              <label htmlFor={id}>
                <input {...common} type="checkbox" value="true" defaultChecked={field.initial === "true"} /> {label}
              </label>
            ) : (
              <label htmlFor={id}>{label}</label>
            )}
            {field.kind === "enum" ? (
              <select {...common} defaultValue={field.initial}>
                {field.required ? null : <option value="">—</option>}
                {field.options.map((option) => (
                  <option key={option} value={option}>
                    {option.startsWith('"') ? (JSON.parse(option) as string) : option}
                  </option>
                ))}
              </select>
            ) : field.kind === "json" ? (
              <textarea {...common} rows={4} className="mono" defaultValue={field.initial} placeholder="JSON" />
            ) : field.kind === "boolean" ? null : (
              <input {...common} inputMode={field.kind === "string" ? undefined : "decimal"} defaultValue={field.initial} />
            )}
            {field.description ? (
              <span id={`${id}-hint`} className="field__hint">
                {field.description}
              </span>
            ) : null}
            {error ? (
              <span id={`${id}-error`} className="field__error">
                {error}
              </span>
            ) : null}
          </div>
        );
      })}
    </>
  );
}
