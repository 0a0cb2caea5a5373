/**
 * Browser stand-in for @adraffy/ens-normalize (aliased in next.config.ts). ENS names are only ever
 * resolved on Ethereum mainnet, which is never among this dApp's chains, so the library's ~20 kB
 * (gzip) of Unicode tables would be dead weight on every wallet page. RainbowKit calls
 * normalize() only for a resolved ENS name and catches its errors.
 */
function unavailable(): never {
  throw new Error("ENS names are not supported here: the dApp's chains do not include Ethereum mainnet.");
}

export const ens_normalize = unavailable;
export const ens_beautify = unavailable;
export const ens_normalize_fragment = unavailable;
export const ens_split = unavailable;
export const ens_tokenize = unavailable;
export const ens_emoji = unavailable;
