// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IpfsUri
/// @notice Lossless compact form of the canonical IPFS URI of a CIDv1 with a sha2-256 digest:
/// `ipfs://` + multibase base32 (lowercase, unpadded) of `0x01 codec 0x12 0x20 digest`, i.e.
/// `ipfs://bafkrei...` (codec raw, 0x55) and `ipfs://bafybei...` (codec dag-pb, 0x70): the text
/// form Kubo and Helia print for CIDv1. Such a URI is always 66 characters; storing it as a string
/// costs four storage slots, its digest costs one. `decode` accepts only the exact canonical text
/// (lowercase alphabet, zero padding bits), so `encode(decode(uri)) == uri` for every accepted uri
/// and anything else is stored verbatim by the caller.
library IpfsUri {
    /// @dev Length of `ipfs://b` + 58 base32 characters for a 36-byte CID.
    uint256 internal constant LENGTH = 66;

    /// @dev The first 14 characters: scheme, multibase prefix `b` and the 30 bits of
    /// `0x01 codec 0x12 0x20` that fill whole base32 characters.
    bytes14 internal constant RAW_PREFIX = "ipfs://bafkrei";
    bytes14 internal constant DAG_PB_PREFIX = "ipfs://bafybei";

    uint8 internal constant NONE = 0;
    uint8 internal constant RAW = 1;
    uint8 internal constant DAG_PB = 2;

    bytes32 private constant ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    /// @notice Parses a canonical `ipfs://bafkrei...` / `ipfs://bafybei...` URI.
    /// @return codec RAW or DAG_PB when `uri` is canonical with a non-zero digest, NONE otherwise
    /// (store it verbatim).
    /// @return digest The sha2-256 digest the CID names.
    function decode(string calldata uri) internal pure returns (uint8 codec, bytes32 digest) {
        if (bytes(uri).length != LENGTH) return (NONE, 0);
        bytes14 prefix;
        uint256 first;
        uint256 acc;
        bool ok = true;
        assembly ("memory-safe") {
            let p := uri.offset
            prefix := calldataload(p)
            // 15th character: two zero bits (the end of 0x20) then the digest's top three bits.
            first := byte(0, calldataload(add(p, 14)))
            // only 'a'..'h' (values 0..7) keep those two bits zero
            if or(lt(first, 0x61), gt(first, 0x68)) { ok := 0 }
            first := sub(first, 0x61)
            // 51 more characters: the remaining 253 digest bits plus two zero padding bits.
            for { let i := 15 } lt(i, 66) { i := add(i, 1) } {
                let c := byte(0, calldataload(add(p, i)))
                let v := 32
                switch and(gt(c, 0x60), lt(c, 0x7b))
                case 1 { v := sub(c, 0x61) }
                default {
                    if and(gt(c, 0x31), lt(c, 0x38)) { v := sub(c, 0x18) }
                }
                if eq(v, 32) { ok := 0 }
                acc := or(shl(5, acc), v)
            }
        }
        if (!ok) return (NONE, 0);
        if (prefix == RAW_PREFIX) codec = RAW;
        else if (prefix == DAG_PB_PREFIX) codec = DAG_PB;
        else return (NONE, 0);
        // acc: 255 bits = the digest's low 253 bits followed by two padding bits, which must be zero.
        if (acc & 3 != 0) return (NONE, 0);
        digest = bytes32((first << 253) | (acc >> 2));
        // A zero digest is the registry's "nothing stored" marker: keep that (valid, if absurd) URI
        // verbatim instead.
        if (digest == 0) return (NONE, 0);
    }

    /// @notice Re-creates the canonical URI from its compact form.
    function encode(uint8 codec, bytes32 digest) internal pure returns (string memory uri) {
        bytes14 prefix = codec == RAW ? RAW_PREFIX : DAG_PB_PREFIX;
        uri = new string(LENGTH);
        bytes32 alphabet = ALPHABET;
        assembly ("memory-safe") {
            let out := add(uri, 32)
            mstore(out, prefix)
            mstore8(add(out, 14), byte(shr(253, digest), alphabet))
            // remaining 253 bits followed by two zero bits, 5 bits per character
            let rest := shl(2, and(digest, sub(shl(253, 1), 1)))
            for { let i := 0 } lt(i, 51) { i := add(i, 1) } {
                let v := and(shr(mul(5, sub(50, i)), rest), 31)
                mstore8(add(out, add(15, i)), byte(v, alphabet))
            }
        }
    }
}
