import { useId, type InputHTMLAttributes } from "react";

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "aria-invalid" | "aria-describedby"> {
  label: string;
  name: string;
  /** Shown under the field and announced with it. */
  hint?: string;
  /** Marks the field invalid and tells why. */
  error?: string;
  /** Lets a form move focus to this field (e.g. the first one to fix). */
  inputId?: string;
}

/** A labelled text input whose hint and error are tied to it for assistive technology. */
export function TextField({ label, name, hint, error, inputId, ...input }: TextFieldProps) {
  const generated = useId();
  const id = inputId ?? generated;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <span id={hintId} className="field__hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={errorId} className="field__error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
