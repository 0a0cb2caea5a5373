"use client";
/**
 * The dApp's look for react-jsonschema-form: its templates render the same markup as the other
 * forms (.field, label, .field__hint, .field__error, .button), each input described by its help
 * text and its errors. Any-JSON-value schemas (`{}`, no type) get a JSON text field.
 */
import { useEffect, useState, type ChangeEvent } from "react";
import {
  ariaDescribedByIds,
  descriptionId,
  errorId,
  getTemplate,
  getUiOptions,
  type ArrayFieldItemTemplateProps,
  type DescriptionFieldProps,
  type FieldErrorProps,
  type FieldProps,
  type FieldTemplateProps,
  type IconButtonProps,
  type RegistryFieldsType,
  type TemplatesType,
  type RegistryWidgetsType,
  type TitleFieldProps,
  type WidgetProps,
} from "@rjsf/utils";
import { fieldPathKey, type PendingJsonText } from "@/lib/agent/tool-form";

/** What the form passes to its fields: JSON texts that do not parse yet (checked on submit). */
export interface ToolFormContext {
  pendingJson: PendingJsonText;
}

const optionalMark = (required: boolean | undefined) => (required ? "" : " (optional)");

function FieldTemplate(props: FieldTemplateProps) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, registry, uiSchema, rawErrors } = props;
  const WrapIfAdditionalTemplate = getTemplate("WrapIfAdditionalTemplate", registry, getUiOptions(uiSchema));
  if (hidden) return <div hidden>{children}</div>;
  return (
    <WrapIfAdditionalTemplate {...props}>
      <div className={`field${rawErrors && rawErrors.length > 0 ? " field--invalid" : ""}`}>
        {displayLabel && label ? (
          <label htmlFor={id}>
            {label}
            {optionalMark(required)}
          </label>
        ) : null}
        {children}
        {displayLabel ? description : null}
        {errors}
        {help}
      </div>
    </WrapIfAdditionalTemplate>
  );
}

function DescriptionFieldTemplate({ id, description }: DescriptionFieldProps) {
  if (!description) return null;
  return (
    <span id={id} className="field__hint">
      {description}
    </span>
  );
}

function FieldErrorTemplate({ errors = [], fieldPathId }: FieldErrorProps) {
  const shown = errors.filter(Boolean);
  if (shown.length === 0) return null;
  return (
    <span id={errorId(fieldPathId)} className="field__error">
      {shown.map((error, index) => (
        <span key={index}>{error} </span>
      ))}
    </span>
  );
}

function TitleFieldTemplate({ id, title, required }: TitleFieldProps) {
  return (
    <legend id={id}>
      {title}
      {optionalMark(required)}
    </legend>
  );
}

function ArrayFieldItemTemplate({ children, buttonsProps, hasToolbar, registry, uiSchema }: ArrayFieldItemTemplateProps) {
  const ArrayFieldItemButtonsTemplate = getTemplate("ArrayFieldItemButtonsTemplate", registry, getUiOptions(uiSchema));
  return (
    <div className="tool-form__item">
      <div className="tool-form__item-value">{children}</div>
      {hasToolbar ? (
        <div className="actions">
          <ArrayFieldItemButtonsTemplate {...buttonsProps} />
        </div>
      ) : null}
    </div>
  );
}

/** A checkbox inside its label, its help text below (the library's widget puts the help first). */
function CheckboxWidget({ id, value, required, disabled, readonly, autofocus, label, schema, options, onChange, onBlur, onFocus }: WidgetProps) {
  const description = typeof options.description === "string" ? options.description : schema.description;
  return (
    <>
      <label htmlFor={id} className="field__check">
        <input
          type="checkbox"
          id={id}
          name={id}
          checked={value === true}
          disabled={disabled || readonly}
          autoFocus={autofocus}
          onChange={(event) => onChange(event.target.checked)}
          onBlur={(event) => onBlur(id, event.target.checked)}
          onFocus={(event) => onFocus(id, event.target.checked)}
          aria-describedby={ariaDescribedByIds(id)}
        />
        <span>
          {label}
          {optionalMark(required)}
        </span>
      </label>
      {description ? (
        <span id={descriptionId(id)} className="field__hint">
          {description}
        </span>
      ) : null}
    </>
  );
}

/** A text button (the library's default buttons are icon fonts the dApp does not ship). */
function textButton(text: string, extraClass = "") {
  function TextButton({ icon: _icon, iconType: _iconType, uiSchema: _uiSchema, registry: _registry, className: _className, title, ...buttonProps }: IconButtonProps) {
    return (
      <button type="button" className={`button button--secondary button--small ${extraClass}`.trim()} aria-label={title} {...buttonProps}>
        {text}
      </button>
    );
  }
  TextButton.displayName = `TextButton(${text})`;
  return TextButton;
}

/** The JSON value of a text (an empty text is no value), or null when it does not parse. */
function parsedJson(text: string): { value: unknown } | null {
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/**
 * Any JSON value, typed as JSON text. While the text does not parse, the form data keeps the text
 * and the field is listed in the form context's `pendingJson`, which blocks submitting with an error.
 */
function JsonValueField({ fieldPathId, formData, onChange, required, disabled, readonly, registry }: FieldProps) {
  const { pendingJson } = registry.formContext as ToolFormContext;
  const { $id: id, path } = fieldPathId;
  const key = fieldPathKey(path);
  const [text, setText] = useState(() => (formData === undefined ? "" : JSON.stringify(formData, null, 2)));
  const invalid = parsedJson(text) === null;
  useEffect(() => {
    if (!invalid) return;
    pendingJson.set(key, path);
    return () => void pendingJson.delete(key);
  }, [invalid, key, path, pendingJson]);

  function change(event: ChangeEvent<HTMLTextAreaElement>) {
    const next = event.target.value;
    setText(next);
    const parsed = parsedJson(next);
    onChange(parsed ? parsed.value : next, path, undefined, id);
  }

  return (
    <textarea
      id={id}
      name={id}
      rows={4}
      className="mono"
      placeholder="JSON"
      value={text}
      required={required}
      disabled={disabled}
      readOnly={readonly}
      onChange={change}
      aria-describedby={ariaDescribedByIds(id)}
    />
  );
}

export const toolFormTemplates: Partial<TemplatesType> = {
  FieldTemplate,
  DescriptionFieldTemplate,
  FieldErrorTemplate,
  TitleFieldTemplate,
  ArrayFieldItemTemplate,
  ButtonTemplates: {
    AddButton: textButton("Add"),
    RemoveButton: textButton("Remove"),
    MoveUpButton: textButton("Up"),
    MoveDownButton: textButton("Down"),
    CopyButton: textButton("Copy"),
    ClearButton: textButton("Clear"),
    // The playground passes its own submit button as the form's children.
    SubmitButton: () => null,
  },
};

export const toolFormFields: RegistryFieldsType = { FallbackField: JsonValueField };

export const toolFormWidgets: RegistryWidgetsType = { CheckboxWidget };
