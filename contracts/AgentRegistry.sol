// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC8004Identity} from "./interfaces/IERC8004Identity.sol";
import {IpfsUri} from "./libraries/IpfsUri.sol";

/// @title AgentRegistry
/// @notice ERC-8004 Identity Registry: every agent is an ERC-721 token whose URI points at its
/// registration file (ERC-8004 registration-v1 with Agentry's MCP endpoint, tools and prices).
/// @dev Compatible function for function and event for event with the ERC-8004 reference registry
/// (including its EIP-712 domain and AgentWalletSet type, so wallet proofs made by ERC-8004 SDKs
/// verify here). Two storage choices make registration about a third cheaper than the reference
/// without changing anything observable:
/// - a canonical `ipfs://bafkrei...`/`ipfs://bafybei...` URI is stored as its 32-byte digest and
///   re-encoded by `tokenURI` (see IpfsUri); any other URI is stored verbatim;
/// - the agent wallet defaults to the minter without a storage write: an untouched wallet slot means
///   "the owner since mint", a transfer or `unsetAgentWallet` marks it cleared.
contract AgentRegistry is IERC4906, ERC721, EIP712, IERC8004Identity {
    /// @notice Longest accepted agent URI, in bytes (data: URIs included).
    uint256 public constant MAX_URI_LENGTH = 8192;
    /// @notice Longest accepted metadata key, in bytes.
    uint256 public constant MAX_METADATA_KEY_LENGTH = 64;
    /// @notice Longest accepted metadata value, in bytes.
    uint256 public constant MAX_METADATA_VALUE_LENGTH = 4096;
    /// @notice Most metadata entries accepted in one `register` call.
    uint256 public constant MAX_METADATA_ENTRIES = 16;
    /// @notice Furthest a wallet proof's deadline may lie in the future (as in the reference).
    uint256 public constant MAX_DEADLINE_DELAY = 5 minutes;

    /// @notice EIP-712 type of the proof that `newWallet` consents to receive the agent's payments.
    bytes32 public constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");

    string private constant AGENT_WALLET_KEY = "agentWallet";
    bytes32 private constant AGENT_WALLET_KEY_HASH = keccak256("agentWallet");

    // Wallet slot states (bits 160..167 of the packed wallet slot).
    uint256 private constant WALLET_DEFAULT = 0; // never touched: the owner since mint
    uint256 private constant WALLET_SET = 1; // a verified wallet in bits 0..159
    uint256 private constant WALLET_CLEARED = 2; // unset, or cleared by a transfer

    uint256 private _nextAgentId = 1;
    mapping(uint256 agentId => bytes32 digest) private _rawCid;
    mapping(uint256 agentId => bytes32 digest) private _dagPbCid;
    mapping(uint256 agentId => string uri) private _uris;
    mapping(uint256 agentId => uint256 packed) private _wallets;
    mapping(uint256 agentId => mapping(string key => bytes value)) private _metadata;
    mapping(bytes32 digest => bool used) private _usedWalletProofs;

    /// @notice The caller is neither the agent's owner nor approved for it.
    error NotAgentOperator(uint256 agentId, address caller);
    /// @notice "agentWallet" can only be changed through setAgentWallet/unsetAgentWallet.
    error ReservedMetadataKey(string key);
    /// @notice An input is longer than the registry accepts; `max` is the limit in bytes or entries.
    error InputTooLong(string field, uint256 length, uint256 max);
    /// @notice The metadata key is empty.
    error EmptyMetadataKey();
    /// @notice The wallet address is the zero address.
    error InvalidWallet();
    /// @notice The wallet proof's deadline has passed.
    error SignatureExpired(uint256 deadline, uint256 nowTimestamp);
    /// @notice The wallet proof's deadline is more than MAX_DEADLINE_DELAY ahead.
    error DeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @notice The signature is not newWallet's EIP-712 (EOA) or ERC-1271 (contract) proof.
    error InvalidWalletSignature(address newWallet);
    /// @notice The wallet proof has been used once already.
    error WalletProofAlreadyUsed();

    constructor() ERC721("AgentIdentity", "AGENT") EIP712("ERC8004IdentityRegistry", "1") {}

    // ------------------------------------------------------------------------------ registration

    /// @notice Registers an agent with no URI yet (set it later with setAgentURI).
    /// @return agentId The new agent's id (ids start at 1).
    function register() external returns (uint256 agentId) {
        agentId = _mintAgent();
        emit Registered(agentId, "", msg.sender);
        _checkReceiver(agentId);
    }

    /// @notice Registers an agent whose registration file lives at `agentURI`.
    /// @param agentURI URI of the ERC-8004 registration file, usually `ipfs://<CIDv1>`.
    /// @return agentId The new agent's id.
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = _registerWithURI(agentURI);
        _checkReceiver(agentId);
    }

    /// @notice Registers an agent and writes on-chain metadata entries in the same transaction.
    /// @param agentURI URI of the ERC-8004 registration file.
    /// @param metadata At most MAX_METADATA_ENTRIES key/value pairs; "agentWallet" is reserved.
    /// @return agentId The new agent's id.
    function register(string calldata agentURI, MetadataEntry[] calldata metadata) external returns (uint256 agentId) {
        if (metadata.length > MAX_METADATA_ENTRIES) {
            revert InputTooLong("metadata", metadata.length, MAX_METADATA_ENTRIES);
        }
        agentId = _registerWithURI(agentURI);
        for (uint256 i; i < metadata.length; ++i) {
            _writeMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
        _checkReceiver(agentId);
    }

    /// @notice Points the agent at a new registration file.
    /// @dev Owner, approved address or operator only. Emits URIUpdated and ERC-4906 MetadataUpdate.
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _requireOperator(agentId);
        _storeURI(agentId, newURI, false);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @notice The agent's registration file URI, byte for byte as registered.
    function tokenURI(uint256 agentId) public view override returns (string memory) {
        _requireOwned(agentId);
        bytes32 digest = _rawCid[agentId];
        if (digest != 0) return IpfsUri.encode(IpfsUri.RAW, digest);
        digest = _dagPbCid[agentId];
        if (digest != 0) return IpfsUri.encode(IpfsUri.DAG_PB, digest);
        return _uris[agentId];
    }

    /// @notice Id the next registration will receive.
    function nextAgentId() external view returns (uint256) {
        return _nextAgentId;
    }

    // ---------------------------------------------------------------------------------- metadata

    /// @notice Reads an on-chain metadata value; "agentWallet" returns the 20-byte wallet or empty.
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        if (keccak256(bytes(metadataKey)) == AGENT_WALLET_KEY_HASH) {
            if (_ownerOf(agentId) == address(0)) return "";
            address wallet = _walletOf(agentId);
            return wallet == address(0) ? bytes("") : abi.encodePacked(wallet);
        }
        return _metadata[agentId][metadataKey];
    }

    /// @notice Writes an on-chain metadata value. Owner, approved address or operator only.
    /// @param metadataKey 1..MAX_METADATA_KEY_LENGTH bytes, not "agentWallet".
    /// @param metadataValue At most MAX_METADATA_VALUE_LENGTH bytes; empty deletes the entry.
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external {
        _requireOperator(agentId);
        _writeMetadata(agentId, metadataKey, metadataValue);
    }

    // ------------------------------------------------------------------------------ agent wallet

    /// @notice The address that receives the agent's payments: the minter until it is changed with a
    /// proof, address(0) after unsetAgentWallet or a transfer (until the new owner sets one).
    function getAgentWallet(uint256 agentId) public view returns (address) {
        _requireOwned(agentId);
        return _walletOf(agentId);
    }

    /// @notice Sets the agent's payment wallet, with newWallet's consent.
    /// @dev Owner, approved address or operator only. `signature` is newWallet's EIP-712 signature of
    /// AgentWalletSet(agentId, newWallet, owner, deadline) in this registry's domain, or an ERC-1271
    /// approval when newWallet is a contract. Each proof works once, and only before `deadline`.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature) external {
        address owner = _requireOperator(agentId);
        if (newWallet == address(0)) revert InvalidWallet();
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        if (deadline > block.timestamp + MAX_DEADLINE_DELAY) {
            revert DeadlineTooFar(deadline, block.timestamp + MAX_DEADLINE_DELAY);
        }
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
        if (_usedWalletProofs[digest]) revert WalletProofAlreadyUsed();
        // ECDSA first (EOAs, including EIP-7702 delegated ones), then ERC-1271 for contract wallets.
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != newWallet) {
            if (!SignatureChecker.isValidERC1271SignatureNowCalldata(newWallet, digest, signature)) {
                revert InvalidWalletSignature(newWallet);
            }
        }
        _usedWalletProofs[digest] = true;
        _wallets[agentId] = (WALLET_SET << 160) | uint256(uint160(newWallet));
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, abi.encodePacked(newWallet));
    }

    /// @notice Clears the agent's payment wallet. Owner, approved address or operator only.
    function unsetAgentWallet(uint256 agentId) external {
        _requireOperator(agentId);
        _clearWallet(agentId);
    }

    /// @notice True when `spender` is the agent's owner, its approved address or an operator.
    /// @dev Reverts with ERC721NonexistentToken for an unknown agent.
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool) {
        return _isAuthorized(ownerOf(agentId), spender, agentId);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return interfaceId == bytes4(0x49064906) || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------- internal

    /// @dev Effects of a registration. The receiver check, the only external call, comes last in
    /// each `register` (checks-effects-interactions), hence `_mint` rather than `_safeMint` here.
    function _mintAgent() private returns (uint256 agentId) {
        agentId = _nextAgentId++;
        _mint(msg.sender, agentId);
        // The wallet slot stays untouched (WALLET_DEFAULT = the minter); announce it as ERC-8004 does.
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, abi.encodePacked(msg.sender));
    }

    function _registerWithURI(string calldata agentURI) private returns (uint256 agentId) {
        agentId = _mintAgent();
        if (bytes(agentURI).length != 0) _storeURI(agentId, agentURI, true);
        emit Registered(agentId, agentURI, msg.sender);
    }

    function _checkReceiver(uint256 agentId) private {
        ERC721Utils.checkOnERC721Received(msg.sender, address(0), msg.sender, agentId, "");
    }

    /// @param fresh True at registration: nothing stored yet, so no previous form to clear.
    function _storeURI(uint256 agentId, string calldata uri, bool fresh) private {
        if (bytes(uri).length > MAX_URI_LENGTH) revert InputTooLong("agentURI", bytes(uri).length, MAX_URI_LENGTH);
        (uint8 codec, bytes32 digest) = IpfsUri.decode(uri);
        if (!fresh) {
            if (_rawCid[agentId] != 0) delete _rawCid[agentId];
            if (_dagPbCid[agentId] != 0) delete _dagPbCid[agentId];
            if (bytes(_uris[agentId]).length != 0) delete _uris[agentId];
        }
        if (codec == IpfsUri.RAW) _rawCid[agentId] = digest;
        else if (codec == IpfsUri.DAG_PB) _dagPbCid[agentId] = digest;
        else if (bytes(uri).length != 0) _uris[agentId] = uri;
        emit MetadataUpdate(agentId);
    }

    function _writeMetadata(uint256 agentId, string calldata key, bytes calldata value) private {
        uint256 keyLength = bytes(key).length;
        if (keyLength == 0) revert EmptyMetadataKey();
        if (keyLength > MAX_METADATA_KEY_LENGTH) revert InputTooLong("metadataKey", keyLength, MAX_METADATA_KEY_LENGTH);
        if (value.length > MAX_METADATA_VALUE_LENGTH) {
            revert InputTooLong("metadataValue", value.length, MAX_METADATA_VALUE_LENGTH);
        }
        if (keccak256(bytes(key)) == AGENT_WALLET_KEY_HASH) revert ReservedMetadataKey(key);
        _metadata[agentId][key] = value;
        emit MetadataSet(agentId, key, key, value);
    }

    function _walletOf(uint256 agentId) private view returns (address) {
        uint256 packed = _wallets[agentId];
        uint256 state = packed >> 160;
        if (state == WALLET_DEFAULT) return _ownerOf(agentId);
        if (state == WALLET_SET) return address(uint160(packed));
        return address(0);
    }

    function _clearWallet(uint256 agentId) private {
        _wallets[agentId] = WALLET_CLEARED << 160;
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, "");
    }

    /// @return owner The agent's owner, once the caller is known to be allowed to act for it.
    function _requireOperator(uint256 agentId) private view returns (address owner) {
        owner = _requireOwned(agentId);
        if (!_isAuthorized(owner, msg.sender, agentId)) revert NotAgentOperator(agentId, msg.sender);
    }

    /// @dev A verified wallet must not follow the agent to a new owner (ERC-8004).
    function _update(address to, uint256 agentId, address auth) internal override returns (address from) {
        from = super._update(to, agentId, auth);
        if (from != address(0) && to != address(0) && from != to) _clearWallet(agentId);
    }
}
