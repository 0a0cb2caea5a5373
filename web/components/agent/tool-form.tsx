"use client";
/**
 * A tool's input form, generated from its JSON Schema by react-jsonschema-form and validated with
 * Ajv on submit (errors next to their fields, focus on the first). Heavy: the playground loads this
 * module on demand (tool-form-loader.tsx), never with the page.
 */
import { useMemo, useRef, type ReactNode } from "react";
import Form from "@rjsf/core";
import { addPendingJsonErrors, readableErrors, toolArguments, toolFormSchema, toolFormUiSchema, type PendingJsonText } from "@/lib/agent/tool-form";
import { toolFormValidator } from "@/lib/agent/tool-form-validator";
import { toolFormFields, toolFormTemplates, toolFormWidgets, type ToolFormContext } from "./tool-form-theme";

export interface ToolFormProps {
  /** The tool's input JSON Schema, as published (anything: a missing or odd schema gets a generic form). */
  schema: unknown;
  /** Prefix of the inputs' ids, unique on the page. */
  idPrefix: string;
  /** Called with the arguments object once the form is valid. */
  onSubmit: (args: Record<string, unknown>) => void;
  disabled?: boolean;
  /** The submit button (and anything else below the fields). */
  children: ReactNode;
}

export default function ToolForm({ schema, idPrefix, onSubmit, disabled, children }: ToolFormProps) {
  const formSchema = useMemo(() => toolFormSchema(schema), [schema]);
  const uiSchema = useMemo(() => toolFormUiSchema(formSchema), [formSchema]);
  const pendingJson = useRef<PendingJsonText>(new Map()).current;
  const formContext = useMemo<ToolFormContext>(() => ({ pendingJson }), [pendingJson]);
  return (
    <Form
      schema={formSchema}
      uiSchema={uiSchema}
      validator={toolFormValidator}
      templates={toolFormTemplates}
      fields={toolFormFields}
      widgets={toolFormWidgets}
      formContext={formContext}
      idPrefix={idPrefix}
      className="stack tool-form"
      disabled={disabled}
      noHtml5Validate
      showErrorList={false}
      focusOnFirstError
      transformErrors={readableErrors}
      customValidate={(_data, errors) => addPendingJsonErrors(errors, pendingJson)}
      onSubmit={({ formData }) => onSubmit(toolArguments(formData))}
    >
      {children}
    </Form>
  );
}
