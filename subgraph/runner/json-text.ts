/**
 * JSON parsing that keeps numbers as their source text: graph-node hands a JSON number to the
 * mapping as a decimal string (serde_json's arbitrary precision), so `toBigInt()` on
 * 123456789012345678901234567890 must see every digit, which JSON.parse would lose.
 */
export type JsonText =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  | { kind: "number"; text: string }
  | { kind: "string"; value: string }
  | { kind: "array"; items: JsonText[] }
  | { kind: "object"; entries: [string, JsonText][] };

export class JsonTextError extends Error {}

// sticky (y): match exactly at lastIndex, without slicing the source
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

export function parseJsonText(source: string): JsonText {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonTextError(`${what} at position ${i}`);
  };
  const space = () => {
    while (i < source.length && " \t\n\r".includes(source[i]!)) i++;
  };
  const value = (): JsonText => {
    space();
    const c = source[i];
    if (c === "{") {
      i++;
      const entries: [string, JsonText][] = [];
      space();
      if (source[i] === "}") return i++, { kind: "object", entries };
      for (;;) {
        space();
        if (source[i] !== '"') fail("expected a string key");
        const key = string();
        space();
        if (source[i++] !== ":") fail("expected ':'");
        entries.push([key, value()]);
        space();
        const next = source[i++];
        if (next === "}") return { kind: "object", entries };
        if (next !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const items: JsonText[] = [];
      space();
      if (source[i] === "]") return i++, { kind: "array", items };
      for (;;) {
        items.push(value());
        space();
        const next = source[i++];
        if (next === "]") return { kind: "array", items };
        if (next !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: "string", value: string() };
    for (const [word, parsed] of [["true", { kind: "bool", value: true }], ["false", { kind: "bool", value: false }], ["null", { kind: "null" }]] as const) {
      if (source.startsWith(word, i)) return (i += word.length), parsed;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(source);
    if (number) return (i += number[0].length), { kind: "number", text: number[0] };
    return fail(c === undefined ? "unexpected end of input" : `unexpected character '${c}'`);
  };
  const string = (): string => {
    STRING.lastIndex = i;
    const match = STRING.exec(source);
    if (!match) fail("invalid string");
    i += match![0].length;
    return JSON.parse(match![0]) as string;
  };
  const result = value();
  space();
  if (i !== source.length) fail("unexpected trailing characters");
  return result;
}
