/**
 * graph-node's query field names: the entity name with a lower-case first letter for one entity,
 * and for collections its plural by the rules of the Inflector crate graph-node uses (the last
 * matching rule wins; uncountable words stay as they are), with `_collection` appended when the
 * plural equals the singular (`AgentMetadata` -> `agentMetadata_collection`, `Terms` ->
 * `terms_collection`).
 */
const UNCOUNTABLE = new Set(
  `accommodation adulthood advertising advice aggression aid air aircraft alcohol anger applause arithmetic assistance
  athletics bacon baggage beef biology blood botany bread butter carbon cardboard cash chalk chaos chess crossroads
  countryside dancing deer dignity dirt dust economics education electricity engineering enjoyment envy equipment ethics
  evidence evolution fame fiction flour flu food fuel fun furniture gallows garbage garlic genetics gold golf gossip
  grammar gratitude grief guilt gymnastics happiness hardware harm hate hatred health heat help homework honesty honey
  hospitality housework humour hunger hydrogen ice importance inflation information innocence iron irony jam jewelry judo
  karate knowledge lack laughter lava leather leisure lightning linguine linguini linguistics literature litter livestock
  logic loneliness luck luggage macaroni machinery magic management mankind marble mathematics mayonnaise measles methane
  milk money mud music mumps nature news nitrogen nonsense nurture nutrition obedience obesity oxygen pasta patience
  physics poetry pollution poverty pride psychology publicity punctuation quartz racism relaxation reliability research
  respect revenge rice rubbish rum safety scenery seafood seaside series shame sheep shopping sleep smoke smoking snow
  soap software soil spaghetti species steam stuff stupidity sunshine symmetry tennis thirst thunder timber traffic
  transportation trust underwear unemployment unity validity veal vegetation vegetarianism vengeance violence vitality
  warmth wealth weather welfare wheat wildlife wisdom yoga zinc zoology`.split(/\s+/),
);

const SPECIAL: Record<string, string> = {
  ox: "oxen", man: "men", woman: "women", die: "dice", yes: "yeses", foot: "feet", eave: "eaves", goose: "geese", tooth: "teeth", quiz: "quizzes",
};

/** [pattern, replacement]: the plural is capture group 1 followed by the replacement. */
const RULES: [RegExp, string][] = [
  [/(\w*)s$/, "s"],
  [/(\w*([^aeiou]ese))$/, ""],
  [/(\w*(ax|test))is$/, "es"],
  [/(\w*(alias|[^aou]us|tlas|gas|ris))$/, "es"],
  [/(\w*(e[mn]u))s?$/, "s"],
  [/(\w*([^l]ias|[aeiou]las|[emjzr]as|[iu]am))$/, ""],
  [/(\w*(alumn|syllab|octop|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat))(?:us|i)$/, "i"],
  [/(\w*(alumn|alg|vertebr))(?:a|ae)$/, "ae"],
  [/(\w*(seraph|cherub))(?:im)?$/, "im"],
  [/(\w*(her|at|gr))o$/, "oes"],
  [/(\w*(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor))(?:a|um)$/, "a"],
  [/(\w*(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat))(?:a|on)$/, "a"],
  [/(\w*)sis$/, "ses"],
  [/(\w*(kni|wi|li))fe$/, "ves"],
  [/(\w*(ar|l|ea|eo|oa|hoo))f$/, "ves"],
  [/(\w*([^aeiouy]|qu))y$/, "ies"],
  [/(\w*([^ch][ieo][ln]))ey$/, "ies"],
  [/(\w*(x|ch|ss|sh|zz)es)$/, ""],
  [/(\w*(x|ch|ss|sh|zz))$/, "es"],
  [/(\w*(matr|cod|mur|sil|vert|ind|append))(?:ix|ex)$/, "ices"],
  [/(\w*(m|l)(?:ice|ouse))$/, "ice"],
  [/(\w*(pe)(?:rson|ople))$/, "ople"],
  [/(\w*(child))(?:ren)?$/, "ren"],
  [/(\w*eaux)$/, ""],
];

export function pluralize(word: string): string {
  if (UNCOUNTABLE.has(word)) return word;
  const special = SPECIAL[word];
  if (special) return special;
  for (let i = RULES.length - 1; i >= 0; i--) {
    const [pattern, replacement] = RULES[i]!;
    const match = pattern.exec(word);
    if (match?.[1] !== undefined) return match[1] + replacement;
  }
  return `${word}s`;
}

export const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

export function singleField(entity: string): string {
  return lowerFirst(entity);
}

export function collectionField(entity: string): string {
  const plural = lowerFirst(pluralize(entity));
  return plural === singleField(entity) ? `${plural}_collection` : plural;
}
