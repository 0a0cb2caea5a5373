"use client";
import { useMemo, useState, type FormEvent } from "react";
import { TextField } from "@/components/form/text-field";
import { EMPTY_TOOL, validateDraft, type RegistrationDraft, type ToolDraft } from "@/lib/registration-draft";

interface FileStepProps {
  draft: RegistrationDraft;
  onChange: (draft: RegistrationDraft) => void;
  onContinue: () => void;
}

function TextArea({ label, value, onChange, error, hint, rows = 3, mono = false }: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  rows?: number;
  mono?: boolean;
}) {
  const id = `field-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${rows}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        className={mono ? "mono" : undefined}
        spellCheck={!mono}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hint ? `${id}-hint` : "", error ? `${id}-error` : ""].join(" ").trim() || undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? <span id={`${id}-hint`} className="field__hint">{hint}</span> : null}
      {error ? <span id={`${id}-error`} className="field__error">{error}</span> : null}
    </div>
  );
}

/**
 * Step 1: the registration file, checked on every keystroke. Errors show for the fields the user
 * has touched, and for all of them once they try to continue.
 */
export function FileStep({ draft, onChange, onContinue }: FileStepProps) {
  const errors = useMemo(() => validateDraft(draft), [draft]);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const shown = (path: string) => (showAll || touched.has(path) ? errors[path] : undefined);
  const touch = (path: string) => setTouched((current) => (current.has(path) ? current : new Set(current).add(path)));

  const set = (field: Exclude<keyof RegistrationDraft, "tools">) => (value: string) => {
    touch(field);
    onChange({ ...draft, [field]: value });
  };
  const setTool = (index: number, field: keyof ToolDraft) => (value: string) => {
    touch(`tools.${index}.${field}`);
    onChange({ ...draft, tools: draft.tools.map((tool, i) => (i === index ? { ...tool, [field]: value } : tool)) });
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    if (Object.keys(errors).length > 0) {
      setShowAll(true);
      document.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    onContinue();
  }

  const problems = Object.keys(errors).length;
  return (
    <form onSubmit={submit} noValidate className="stack" aria-label="Registration file">
      <TextField label="Name" name="name" value={draft.name} onChange={(e) => set("name")(e.target.value)} error={shown("name")} autoComplete="off" />
      <TextArea label="Description" value={draft.description} onChange={set("description")} error={shown("description")} hint="What the agent does, for clients browsing Explore." />
      <TextField label="Image URL" name="image" value={draft.image} onChange={(e) => set("image")(e.target.value)} error={shown("image")} hint="Optional: https://, ipfs://, ar:// or data:." autoComplete="off" />
      <TextField label="MCP endpoint" name="mcpEndpoint" type="url" value={draft.mcpEndpoint} onChange={(e) => set("mcpEndpoint")(e.target.value)} error={shown("mcpEndpoint")} hint="The URL of your MCP server; workers call it inside their TEE." placeholder="https://…" autoComplete="off" />
      {draft.tools.map((tool, index) => (
        <fieldset key={index} className="card" data-testid={`tool-${index}`}>
          <legend>Tool {index + 1}</legend>
          <TextField label={`Tool ${index + 1} name`} name={`tool-${index}-name`} value={tool.name} onChange={(e) => setTool(index, "name")(e.target.value)} error={shown(`tools.${index}.name`)} autoComplete="off" />
          <TextArea label={`Tool ${index + 1} description`} rows={2} value={tool.description} onChange={setTool(index, "description")} error={shown(`tools.${index}.description`)} />
          <TextArea label={`Tool ${index + 1} input schema`} rows={5} mono value={tool.inputSchema} onChange={setTool(index, "inputSchema")} error={shown(`tools.${index}.inputSchema`)} hint='JSON Schema of the arguments; its "type" must be "object".' />
          <TextField label={`Tool ${index + 1} price (ETH per call)`} name={`tool-${index}-price`} inputMode="decimal" value={tool.priceEth} onChange={(e) => setTool(index, "priceEth")(e.target.value)} error={shown(`tools.${index}.priceEth`)} hint="Advertised in the file; the price clients pay is set on-chain in step 4." autoComplete="off" />
          <TextField label={`Tool ${index + 1} tags`} name={`tool-${index}-tags`} value={tool.tags} onChange={(e) => setTool(index, "tags")(e.target.value)} error={shown(`tools.${index}.tags`)} hint="Comma-separated, e.g. search, weather." autoComplete="off" />
          {draft.tools.length > 1 ? (
            <button type="button" className="button button--secondary button--small" onClick={() => onChange({ ...draft, tools: draft.tools.filter((_, i) => i !== index) })}>
              Remove tool {index + 1}
            </button>
          ) : null}
        </fieldset>
      ))}
      {shown("tools") ? <p className="field__error">{errors.tools}</p> : null}
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={() => onChange({ ...draft, tools: [...draft.tools, EMPTY_TOOL] })}>
          Add a tool
        </button>
        <button type="submit" className="button">
          Continue to upload
        </button>
      </div>
      <p className="muted" role="status" data-testid="file-validity">
        {problems === 0 ? "The registration file is valid." : `${problems} field${problems === 1 ? "" : "s"} to fix.`}
      </p>
    </form>
  );
}
