/** text_stats: character, code point, grapheme, word, sentence and line counts, word frequencies and reading time. */
import { z } from "zod";
import { ToolInputError } from "./types.ts";
import { MAX_TEXT_CHARS, defineTool, jsonOutput } from "./shared.ts";

export const WORDS_PER_MINUTE = 238;

const inputSchema = z.strictObject({
  text: z.string().max(MAX_TEXT_CHARS).describe("The text to analyse (max 1 MiB)."),
  topN: z.number().int().min(0).max(100).default(10).describe("How many most frequent words to list (default 10, 0 for none)."),
  locale: z.string().min(2).max(35).default("en").describe("BCP 47 locale for word and sentence segmentation (default `en`), e.g. `de`, `ja`, `th`."),
});

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Lines: the number of line terminators (\r\n, \n, \r, U+2028, U+2029), plus one if the text does not end with one; 0 for "". */
function countLines(text: string): number {
  if (text === "") return 0;
  const breaks = text.match(/\r\n|[\n\r\u2028\u2029]/g)?.length ?? 0;
  return /[\n\r\u2028\u2029]$/.test(text) ? breaks : breaks + 1;
}

export const textStats = defineTool({
  name: "text_stats",
  runTime: "linear",
  title: "Text statistics",
  description:
    "Count characters (UTF-16 code units), Unicode code points, grapheme clusters (user-perceived characters), words and sentences (Unicode segmentation via Intl.Segmenter), " +
    `and lines; list the most frequent words (case-insensitive, ties alphabetical); average word length; reading time at ${WORDS_PER_MINUTE} words per minute.`,
  inputSchema,
  run(input) {
    let locale: string;
    try {
      const canonical = Intl.getCanonicalLocales(input.locale);
      locale = canonical[0]!;
    } catch {
      throw new ToolInputError(`\`locale\` is not a valid BCP 47 language tag: \`${input.locale}\`; use e.g. en, en-GB, de, ja`);
    }
    const { text } = input;

    let codePoints = 0;
    for (const _ of text) codePoints++;
    let graphemes = 0;
    for (const _ of new Intl.Segmenter(locale, { granularity: "grapheme" }).segment(text)) graphemes++;

    const counts = new Map<string, number>();
    let words = 0;
    let wordGraphemes = 0;
    const graphemeSegmenter = new Intl.Segmenter(locale, { granularity: "grapheme" });
    for (const segment of new Intl.Segmenter(locale, { granularity: "word" }).segment(text)) {
      if (!segment.isWordLike) continue;
      words++;
      for (const _ of graphemeSegmenter.segment(segment.segment)) wordGraphemes++;
      // NFC so that composed and decomposed spellings are the same word; toLowerCase is locale-independent.
      const key = segment.segment.normalize("NFC").toLowerCase();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let sentences = 0;
    for (const segment of new Intl.Segmenter(locale, { granularity: "sentence" }).segment(text)) {
      if (/\S/u.test(segment.segment)) sentences++;
    }

    // Highest count first; ties broken by code-unit order of the word, so the list is fully determined.
    const topWords = [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, input.topN)
      .map(([word, count]) => ({ word, count }));

    const minutes = words / WORDS_PER_MINUTE;
    return jsonOutput({
      characters: text.length,
      codePoints,
      graphemes,
      words,
      uniqueWords: counts.size,
      sentences,
      lines: countLines(text),
      averageWordLength: words === 0 ? 0 : round2(wordGraphemes / words),
      readingTime: { wordsPerMinute: WORDS_PER_MINUTE, minutes: round2(minutes), seconds: Math.round(minutes * 60) },
      topWords,
      locale,
    });
  },
});
