/** hash_encode: digests (SHA-2, SHA-3, Keccak-256, BLAKE2b, MD5) and base64/base64url/hex/URL encoding and decoding. */
import { createHash } from "node:crypto";
import { keccakNative } from "@agentry/protocol/native-crypto";
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { MAX_TEXT_CHARS, defineTool } from "./shared.ts";

const ALGORITHMS = ["sha256", "sha512", "sha3-256", "keccak256", "blake2b512", "md5"] as const;
const ENCODINGS = ["base64", "base64url", "hex", "url"] as const;
type ByteEncoding = "utf8" | "hex" | "base64" | "base64url";

const inputSchema = z.strictObject({
  operation: z.enum(["hash", "encode", "decode"]).describe("`hash` bytes, `encode` bytes as text, or `decode` text back to bytes."),
  input: z.string().max(MAX_TEXT_CHARS).describe("For hash/encode: the data, interpreted per `inputEncoding`. For decode: the encoded text (max 1 MiB)."),
  algorithm: z.enum(ALGORITHMS).optional().describe("Hash algorithm (operation `hash`). md5 is broken: a non-cryptographic checksum only."),
  encoding: z.enum(ENCODINGS).optional().describe("Encoding (operations `encode`/`decode`); `url` is RFC 3986 percent-encoding of the UTF-8 bytes."),
  inputEncoding: z
    .enum(["utf8", "hex", "base64", "base64url"])
    .optional()
    .describe("How `input` is turned into bytes for hash/encode: utf8 text (default), hex, base64 or base64url."),
  outputEncoding: z
    .enum(["hex", "base64", "base64url", "utf8"])
    .optional()
    .describe("hash: digest as hex (default), base64 or base64url. decode: bytes as utf8 text (default), hex or base64."),
});

/** Strict decoding: Node's Buffer decoders silently skip invalid characters, so the text is validated first. */
export function decodeBytes(text: string, encoding: ByteEncoding, field: string): Buffer {
  switch (encoding) {
    case "utf8":
      return Buffer.from(text, "utf8");
    case "hex": {
      const hex = text.trim().replace(/^0x/i, "");
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
        throw new ToolInputError(`${field} is not valid hex: use an even number of digits 0-9/a-f, optionally prefixed with 0x`);
      }
      return Buffer.from(hex, "hex");
    }
    case "base64":
    case "base64url": {
      const compact = text.replace(/[\s]+/g, "");
      const alphabet = encoding === "base64" ? /^[A-Za-z0-9+/]*={0,2}$/ : /^[A-Za-z0-9_-]*={0,2}$/;
      const body = compact.replace(/=+$/, "");
      const padded = compact.length !== body.length;
      if (!alphabet.test(compact) || body.length % 4 === 1 || (padded && compact.length % 4 !== 0)) {
        const chars = encoding === "base64" ? "A-Z a-z 0-9 + /" : "A-Z a-z 0-9 - _";
        throw new ToolInputError(`${field} is not valid ${encoding}: use the characters ${chars} with optional = padding to a multiple of 4`);
      }
      const bytes = Buffer.from(body, encoding);
      // Reject non-canonical trailing bits (e.g. "QR==" instead of "QQ=="), which would not round-trip.
      if (bytes.toString("base64url") !== body.replaceAll("+", "-").replaceAll("/", "_")) {
        throw new ToolInputError(`${field} is not canonical ${encoding}: its last character has non-zero unused bits`);
      }
      return bytes;
    }
  }
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function percentEncode(bytes: Buffer): string {
  let out = "";
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === "%") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new ToolInputError(`invalid percent-escape at offset ${i}: \`%\` must be followed by two hex digits (write a literal % as %25)`);
      }
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of Buffer.from(ch, "utf8")) bytes.push(b);
      i += ch.length;
    }
  }
  return Buffer.from(bytes);
}

function digest(algorithm: (typeof ALGORITHMS)[number], bytes: Buffer): Buffer {
  if (algorithm === "keccak256") return keccakNative(bytes); // OpenSSL here has SHA-3, not Keccak
  return createHash(algorithm).update(bytes).digest();
}

export const hashEncode = defineTool({
  name: "hash_encode",
  runTime: "linear",
  title: "Hash / encode / decode",
  description:
    "Hash data with sha256, sha512, sha3-256, keccak256 (Ethereum), blake2b512 or md5 (non-cryptographic checksum only), " +
    "or encode/decode it as base64, base64url, hex or URL percent-encoding. Input bytes come from UTF-8 text or from hex/base64/base64url (`inputEncoding`). " +
    "The text result is the digest or the encoded/decoded string.",
  inputSchema,
  run(input) {
    if (input.operation === "hash") {
      if (input.algorithm === undefined) throw new ToolInputError(`operation \`hash\` needs \`algorithm\`: one of ${ALGORITHMS.join(", ")}`);
      if (input.encoding !== undefined) throw new ToolInputError("`encoding` applies to encode/decode; for `hash` choose the digest format with `outputEncoding`");
      const outputEncoding = input.outputEncoding ?? "hex";
      if (outputEncoding === "utf8") throw new ToolInputError("a digest is binary: use outputEncoding hex, base64 or base64url");
      const inputEncoding = input.inputEncoding ?? "utf8";
      const bytes = decodeBytes(input.input, inputEncoding, "input");
      const result = digest(input.algorithm, bytes).toString(outputEncoding);
      const structured: Record<string, unknown> = {
        operation: "hash",
        algorithm: input.algorithm,
        inputEncoding,
        inputBytes: bytes.length,
        outputEncoding,
        result,
      };
      if (input.algorithm === "md5") structured.warning = "MD5 is cryptographically broken (practical collisions): use it only as a non-cryptographic checksum.";
      return { text: result, structured };
    }

    if (input.encoding === undefined) throw new ToolInputError(`operation \`${input.operation}\` needs \`encoding\`: one of ${ENCODINGS.join(", ")}`);
    if (input.algorithm !== undefined) throw new ToolInputError("`algorithm` applies only to operation `hash`");

    if (input.operation === "encode") {
      if (input.outputEncoding !== undefined) throw new ToolInputError("`outputEncoding` does not apply to `encode`: the output format is `encoding`");
      const inputEncoding = input.inputEncoding ?? "utf8";
      const bytes = decodeBytes(input.input, inputEncoding, "input");
      const result = input.encoding === "url" ? percentEncode(bytes) : bytes.toString(input.encoding);
      return { text: result, structured: { operation: "encode", encoding: input.encoding, inputEncoding, inputBytes: bytes.length, result } };
    }

    // decode
    if (input.inputEncoding !== undefined) {
      throw new ToolInputError("`inputEncoding` does not apply to `decode`: the input is text in `encoding`; choose the output with `outputEncoding`");
    }
    const bytes = input.encoding === "url" ? percentDecode(input.input) : decodeBytes(input.input, input.encoding, "input");
    const outputEncoding = input.outputEncoding ?? "utf8";
    let result: string;
    if (outputEncoding === "utf8") {
      try {
        result = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        throw new ToolInputError("the decoded bytes are not valid UTF-8 text; set outputEncoding to `hex` or `base64` to get them as binary");
      }
    } else {
      result = bytes.toString(outputEncoding);
    }
    return { text: result, structured: { operation: "decode", encoding: input.encoding, outputEncoding, outputBytes: bytes.length, result } };
  },
});
