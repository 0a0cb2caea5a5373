/**
 * Reading a worker's receipts endpoint, `GET <base>/receipts/<agreementId>?from=<n>&to=<n>`
 * (docs/PROTOCOL.md, "MCP binding"): pages of at most 1,000 calls with the stored voucher and the
 * signed receipt of each. Every client reads it here (the CLI, the dApp's receipts route): pages in
 * order, each with a time limit and a size limit, validated before anything in them is used.
 * Whether a receipt is believed is the caller's check (the signer, the agreement, the anchor).
 */
import { z } from "zod";

/** Calls per page: the worker answers at most this many. */
export const RECEIPTS_PAGE_CALLS = 1000;
/** The largest page read: 1,000 rows of a voucher and a receipt are about 1 MiB. */
export const MAX_RECEIPTS_PAGE_BYTES = 2 * 1024 * 1024;

export const receiptsPageSchema = z.object({
  agreementId: z.string(),
  lastCalls: z.number().int().nonnegative(),
  receipts: z.array(z.object({ calls: z.number().int().positive(), voucher: z.unknown(), receipt: z.unknown() })).max(RECEIPTS_PAGE_CALLS),
});
export type ReceiptsPage = z.infer<typeof receiptsPageSchema>;

/** The base URL a worker serves /receipts on: its MCP endpoint without the trailing /mcp. */
export function workerBaseUrl(endpoint: string): string {
  return endpoint.replace(/\/mcp\/?$/, "");
}

export interface ReceiptPagesOptions {
  /** First call index wanted (default 1). */
  from?: bigint;
  /** Last call index wanted (default: the worker's last served call). */
  to?: bigint;
  /** Pages read at most; the caller says what it could not read (default: no limit). */
  maxPages?: number;
  timeoutMs?: number;
}

/**
 * The worker's pages for calls `from..to`, in order. Stops at the worker's last served call, at an
 * empty page, or after `maxPages`; throws (with the worker's base URL in the message) when the
 * worker does not answer, answers with an error, too much, or something that is not a page.
 */
export async function* workerReceiptPages(endpoint: string, agreementId: bigint, options: ReceiptPagesOptions = {}): AsyncGenerator<ReceiptsPage> {
  const base = workerBaseUrl(endpoint);
  const page = BigInt(RECEIPTS_PAGE_CALLS);
  let start = options.from ?? 1n;
  for (let read = 0; options.maxPages === undefined || read < options.maxPages; read++) {
    const end = options.to !== undefined && options.to < start + page - 1n ? options.to : start + page - 1n;
    const answer = await fetchPage(base, `/receipts/${agreementId}?from=${start}&to=${end}`, options.timeoutMs ?? 10_000);
    yield answer;
    const last = options.to !== undefined && options.to < BigInt(answer.lastCalls) ? options.to : BigInt(answer.lastCalls);
    if (end >= last || answer.receipts.length === 0) return;
    start = end + 1n;
  }
}

async function fetchPage(base: string, path: string, timeoutMs: number): Promise<ReceiptsPage> {
  try {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const text = await boundedText(response, MAX_RECEIPTS_PAGE_BYTES);
    const parsed = receiptsPageSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`not a receipts page (${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message})`);
    return parsed.data;
  } catch (error) {
    throw new Error(`worker ${base} did not give its receipts (${(error as Error).message.split("\n")[0]})`);
  }
}

/** The body as text, refused past `maxBytes` whatever Content-Length says. */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new Error(`the answer is over ${maxBytes} bytes`);
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return "";
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let text = "";
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
}
