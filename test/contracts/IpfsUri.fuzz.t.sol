// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {AgentRegistry} from "../../contracts/AgentRegistry.sol";

/// @notice AgentRegistry stores canonical `ipfs://bafkrei...`/`ipfs://bafybei...` URIs as a digest
/// and re-encodes them in tokenURI; every URI, canonical or not, must come back byte for byte.
contract IpfsUriFuzzTest is Test {
    bytes internal constant ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    uint8 internal constant RAW = 0x55;
    uint8 internal constant DAG_PB = 0x70;

    AgentRegistry internal registry;
    address internal owner = makeAddr("owner");

    function setUp() public {
        registry = new AgentRegistry();
    }

    // ---------------------------------------------------------------------------------- helpers

    /// @dev RFC 4648 base32, lowercase, unpadded (multibase `b`).
    function _base32(bytes memory data) internal pure returns (bytes memory out) {
        out = new bytes((data.length * 8 + 4) / 5);
        uint256 buffer;
        uint256 bits;
        uint256 j;
        for (uint256 i; i < data.length; ++i) {
            buffer = (buffer << 8) | uint8(data[i]);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[j++] = ALPHABET[(buffer >> bits) & 31];
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) out[j++] = ALPHABET[(buffer << (5 - bits)) & 31];
    }

    /// @dev The canonical text of CIDv1(codec, sha2-256 digest).
    function _canonical(uint8 codec, bytes32 digest) internal pure returns (string memory) {
        return string.concat("ipfs://b", string(_base32(abi.encodePacked(uint8(1), codec, uint8(0x12), uint8(0x20), digest))));
    }

    /// @dev Reference check of the canonical form: 66 bytes, known prefix, base32 alphabet, 15th
    /// character 'a'..'h' (two zero bits from 0x20), last character with two zero padding bits.
    function _isCanonical(bytes memory u) internal pure returns (bool) {
        if (u.length != 66) return false;
        bytes memory raw = "ipfs://bafkrei";
        bytes memory dag = "ipfs://bafybei";
        bool rawPrefix = true;
        bool dagPrefix = true;
        for (uint256 i; i < 14; ++i) {
            if (u[i] != raw[i]) rawPrefix = false;
            if (u[i] != dag[i]) dagPrefix = false;
        }
        if (!rawPrefix && !dagPrefix) return false;
        uint256 last;
        for (uint256 i = 14; i < 66; ++i) {
            (bool ok, uint256 v) = _value(u[i]);
            if (!ok) return false;
            if (i == 14 && v > 7) return false;
            last = v;
        }
        return last & 3 == 0;
    }

    function _value(bytes1 c) internal pure returns (bool, uint256) {
        if (c >= "a" && c <= "z") return (true, uint8(c) - 0x61);
        if (c >= "2" && c <= "7") return (true, uint8(c) - 0x32 + 26);
        return (false, 0);
    }

    function _register(string memory uri) internal returns (uint256 id) {
        vm.prank(owner);
        id = registry.register(uri);
    }

    // ------------------------------------------------------------------------------------ tests

    /// @notice The test's own encoder matches a well-known CID: sha256("") as raw CIDv1.
    function test_encoderMatchesKnownCid() public pure {
        assertEq(
            _canonical(RAW, sha256("")),
            "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        );
    }

    /// @notice A canonical raw or dag-pb URI for any digest comes back identical from tokenURI,
    /// also after switching to another canonical URI and to a plain one and back.
    function testFuzz_canonicalRoundTrip(bytes32 digest, bytes32 other, bool dagPb) public {
        vm.assume(digest != 0 && other != 0); // the zero digest is covered by test_zeroDigestRoundTrips
        string memory uri = _canonical(dagPb ? DAG_PB : RAW, digest);
        assertEq(bytes(uri).length, 66);
        assertTrue(_isCanonical(bytes(uri)));
        uint256 id = _register(uri);
        assertEq(registry.tokenURI(id), uri);

        // switch codec and digest, then to a plain URI, then back
        string memory uri2 = _canonical(dagPb ? RAW : DAG_PB, other);
        vm.prank(owner);
        registry.setAgentURI(id, uri2);
        assertEq(registry.tokenURI(id), uri2);
        vm.prank(owner);
        registry.setAgentURI(id, "https://example.com/agent.json");
        assertEq(registry.tokenURI(id), "https://example.com/agent.json");
        vm.prank(owner);
        registry.setAgentURI(id, uri);
        assertEq(registry.tokenURI(id), uri);
    }

    /// @notice The canonical URI of the all-zero digest ("ipfs://bafkreiaaa...a") is a valid,
    /// registrable string and must round-trip like any other.
    function test_zeroDigestRoundTrips() public {
        string memory rawUri = _canonical(RAW, bytes32(0));
        string memory dagUri = _canonical(DAG_PB, bytes32(0));
        uint256 a = _register(rawUri);
        uint256 b = _register(dagUri);
        assertEq(registry.tokenURI(a), rawUri);
        assertEq(registry.tokenURI(b), dagUri);
    }

    /// @notice A canonical URI with one character replaced by any byte round-trips verbatim, whether
    /// the result is still canonical (another digest) or not (bad character, uppercase, 15th
    /// character past 'h', non-zero padding bits).
    function testFuzz_mutatedUriRoundTrips(bytes32 digest, bool dagPb, uint256 pos, bytes1 c) public {
        vm.assume(digest != 0);
        bytes memory u = bytes(_canonical(dagPb ? DAG_PB : RAW, digest));
        pos = bound(pos, 0, 65);
        u[pos] = c;
        string memory uri = string(u);
        uint256 id = _register(uri);
        assertEq(registry.tokenURI(id), uri);
    }

    /// @notice Any 66-byte string starting with "ipfs://bafkrei" round-trips verbatim; most fuzzed
    /// tails are not canonical (their characters come from a wider set than base32).
    function testFuzz_bafkreiPrefixedRoundTrips(bytes32 s1, bytes32 s2, uint256 lastMode) public {
        bytes memory charset = "abcdefghijklmnopqrstuvwxyz234567ABCDEFGHXYZ0189=-_.";
        bytes memory u = bytes.concat("ipfs://bafkrei", new bytes(52));
        for (uint256 i; i < 52; ++i) {
            uint8 r = i < 32 ? uint8(s1[i]) : uint8(s2[i - 32]);
            u[14 + i] = charset[r % charset.length];
        }
        // steer the edge characters: the 15th ('a'..'h' only) and the last (padding bits)
        lastMode = lastMode % 4;
        if (lastMode == 1) u[14] = ALPHABET[8 + uint8(s2[30]) % 24]; // 'i'..'7': top bits not zero
        if (lastMode == 2) u[65] = ALPHABET[(uint8(s2[31]) % 8) * 4 + 1 + uint8(s2[29]) % 3]; // padding bits set
        string memory uri = string(u);
        bool canonical = _isCanonical(u);
        if (lastMode == 1 || lastMode == 2) assertFalse(canonical);
        uint256 id = _register(uri);
        assertEq(registry.tokenURI(id), uri);
    }

    /// @notice Strings of other lengths with a canonical-looking prefix are kept verbatim too.
    function testFuzz_wrongLengthRoundTrips(bytes32 digest, uint256 cut, bool extend) public {
        vm.assume(digest != 0);
        bytes memory u = bytes(_canonical(RAW, digest));
        cut = bound(cut, 1, 51);
        bytes memory v;
        if (extend) {
            v = bytes.concat(u, bytes(new string(cut)));
            for (uint256 i = 66; i < v.length; ++i) v[i] = "a";
        } else {
            v = new bytes(66 - cut);
            for (uint256 i; i < v.length; ++i) v[i] = u[i];
        }
        uint256 id = _register(string(v));
        assertEq(registry.tokenURI(id), string(v));
    }
}
