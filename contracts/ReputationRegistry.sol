// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC8004Identity} from "./interfaces/IERC8004Identity.sol";
import {IERC8004Reputation} from "./interfaces/IERC8004Reputation.sol";
import {AgreementEscrow} from "./AgreementEscrow.sol";

/// @title ReputationRegistry
/// @notice ERC-8004 Reputation Registry with one rule beyond the standard: feedback is *verified*
/// when its author holds an agreement with the agent on which at least one call was redeemed, so
/// reputation cannot be farmed by wallets that never paid.
/// @dev Verification is a proof anyone may present (`verifyFeedback`, or `giveVerifiedFeedback` in
/// one step) rather than a flag the escrow writes on every first redemption: only feedback authors
/// pay for it. Feedback given through the standard `giveFeedback` starts unverified and becomes
/// verified once the proof is presented. Loops are bounded: summaries take at most
/// MAX_QUERY_CLIENTS clients, and a client keeps at most MAX_FEEDBACK_PER_CLIENT entries per agent.
contract ReputationRegistry is IERC8004Reputation {
    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        bool isVerified;
        string tag1;
        string tag2;
    }

    /// @notice Most decimals a feedback value may carry.
    uint8 public constant MAX_VALUE_DECIMALS = 18;
    /// @notice Longest tag, in bytes.
    uint256 public constant MAX_TAG_LENGTH = 64;
    /// @notice Longest endpoint, feedback URI or response URI, in bytes.
    uint256 public constant MAX_URI_LENGTH = 2048;
    /// @notice Most feedback entries one client may give one agent.
    uint64 public constant MAX_FEEDBACK_PER_CLIENT = 1000;
    /// @notice Most client or responder addresses one query takes.
    uint256 public constant MAX_QUERY_CLIENTS = 100;

    IERC8004Identity private immutable _identity;
    /// @notice The escrow whose redeemed agreements verify feedback.
    AgreementEscrow public immutable escrow;

    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => Feedback))) private _feedback;
    mapping(uint256 agentId => mapping(address client => uint64 lastIndex)) private _lastIndex;
    mapping(uint256 agentId => address[] clients) private _clients;
    /// @dev responder address(0) holds the total over all responders.
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => mapping(address responder => uint64))))
        private _responseCount;

    /// @notice The feedback was proven to come from a client that paid the agent.
    event FeedbackVerified(
        uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex, uint256 agreementId
    );

    error UnknownAgent(uint256 agentId);
    error SelfFeedbackNotAllowed(uint256 agentId, address caller);
    error InvalidValueDecimals(uint8 valueDecimals);
    error InputTooLong(string field, uint256 length, uint256 max);
    error TooMuchFeedback(uint256 agentId, address client);
    error FeedbackNotFound(uint256 agentId, address client, uint64 feedbackIndex);
    error FeedbackAlreadyRevoked(uint256 agentId, address client, uint64 feedbackIndex);
    error EmptyResponseURI();
    error ClientsRequired();
    error TooManyAddresses(uint256 length, uint256 max);
    error NotAgreementClient(uint256 agreementId, address client);
    error AgreementForAnotherAgent(uint256 agreementId, uint256 agentId);
    error NoRedeemedCalls(uint256 agreementId);
    error SummaryOverflow();

    constructor(IERC8004Identity identityRegistry, AgreementEscrow escrow_) {
        _identity = identityRegistry;
        escrow = escrow_;
    }

    // ----------------------------------------------------------------------------------- writes

    /// @notice Gives feedback on an agent (standard ERC-8004). The agent's owner and operators may not.
    /// @param value Signed fixed-point value with `valueDecimals` decimals (at most 18).
    /// @param tag1 Primary tag (indexed in the event), at most MAX_TAG_LENGTH bytes.
    /// @param tag2 Secondary tag, at most MAX_TAG_LENGTH bytes.
    /// @param endpoint The endpoint the feedback is about, at most MAX_URI_LENGTH bytes.
    /// @param feedbackURI Off-chain feedback file, at most MAX_URI_LENGTH bytes.
    /// @param feedbackHash Hash of the feedback file's content.
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external {
        _giveFeedback(agentId, value, valueDecimals, tag1, tag2, endpoint, feedbackURI, feedbackHash);
    }

    /// @notice Gives feedback on the agent of `agreementId` and proves it verified in one step: the
    /// caller must be the agreement's client and at least one of its calls must have been redeemed.
    /// @return feedbackIndex The new feedback's index.
    function giveVerifiedFeedback(
        uint256 agreementId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external returns (uint64 feedbackIndex) {
        uint256 agentId = _requirePaidAgreement(agreementId, msg.sender);
        feedbackIndex = _giveFeedback(agentId, value, valueDecimals, tag1, tag2, endpoint, feedbackURI, feedbackHash);
        _feedback[agentId][msg.sender][feedbackIndex].isVerified = true;
        emit FeedbackVerified(agentId, msg.sender, feedbackIndex, agreementId);
    }

    /// @notice Marks existing feedback verified by pointing at an agreement of its author with the
    /// agent on which at least one call was redeemed. Anyone may present the proof.
    function verifyFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex, uint256 agreementId)
        external
    {
        Feedback storage f = _requireFeedback(agentId, clientAddress, feedbackIndex);
        if (_requirePaidAgreement(agreementId, clientAddress) != agentId) {
            revert AgreementForAnotherAgent(agreementId, agentId);
        }
        f.isVerified = true;
        emit FeedbackVerified(agentId, clientAddress, feedbackIndex, agreementId);
    }

    /// @notice Revokes the caller's own feedback.
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        Feedback storage f = _requireFeedback(agentId, msg.sender, feedbackIndex);
        if (f.isRevoked) revert FeedbackAlreadyRevoked(agentId, msg.sender, feedbackIndex);
        f.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @notice Appends a response to a feedback entry (anyone: the agent showing a refund, a spam
    /// tagger...). `responseURI` must be non-empty.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        _requireFeedback(agentId, clientAddress, feedbackIndex);
        if (bytes(responseURI).length == 0) revert EmptyResponseURI();
        _checkLength("responseURI", responseURI, MAX_URI_LENGTH);
        mapping(address => uint64) storage counts = _responseCount[agentId][clientAddress][feedbackIndex];
        counts[address(0)] += 1;
        counts[msg.sender] += 1;
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    // ------------------------------------------------------------------------------------ reads

    /// @notice Count and average of the non-revoked feedback of `clientAddresses` (1..100 of them,
    /// as in ERC-8004 v2: the caller chooses whose opinion counts, and an address listed twice counts
    /// twice), filtered by tags when non-empty.
    /// @return count Matching entries.
    /// @return summaryValue Their average, expressed with `summaryValueDecimals` decimals.
    /// @return summaryValueDecimals The largest decimals among the matching entries.
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        return _summary(agentId, clientAddresses, tag1, tag2, false);
    }

    /// @notice getSummary restricted to verified feedback (authors proven to have paid the agent).
    function getVerifiedSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals) {
        return _summary(agentId, clientAddresses, tag1, tag2, true);
    }

    /// @notice One feedback entry (indexes start at 1).
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        Feedback storage f = _requireFeedback(agentId, clientAddress, feedbackIndex);
        return (f.value, f.valueDecimals, f.tag1, f.tag2, f.isRevoked);
    }

    /// @notice Whether the entry was proven to come from a client that paid the agent.
    function isFeedbackVerified(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (bool)
    {
        return _requireFeedback(agentId, clientAddress, feedbackIndex).isVerified;
    }

    /// @notice Every entry of `clientAddresses` (1..100) matching the tags, optionally with revoked ones.
    function readAllFeedback(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        )
    {
        _checkQuery(clientAddresses);
        (bytes32 tag1Hash, bytes32 tag2Hash) = (_hashIfSet(tag1), _hashIfSet(tag2));
        uint256 total;
        for (uint256 i; i < clientAddresses.length; ++i) {
            uint64 last = _lastIndex[agentId][clientAddresses[i]];
            for (uint64 j = 1; j <= last; ++j) {
                if (_matches(_feedback[agentId][clientAddresses[i]][j], tag1Hash, tag2Hash, includeRevoked, false)) {
                    ++total;
                }
            }
        }
        clients = new address[](total);
        feedbackIndexes = new uint64[](total);
        values = new int128[](total);
        valueDecimals = new uint8[](total);
        tag1s = new string[](total);
        tag2s = new string[](total);
        revokedStatuses = new bool[](total);
        uint256 k;
        for (uint256 i; i < clientAddresses.length; ++i) {
            uint64 last = _lastIndex[agentId][clientAddresses[i]];
            for (uint64 j = 1; j <= last; ++j) {
                Feedback storage f = _feedback[agentId][clientAddresses[i]][j];
                if (!_matches(f, tag1Hash, tag2Hash, includeRevoked, false)) continue;
                clients[k] = clientAddresses[i];
                feedbackIndexes[k] = j;
                values[k] = f.value;
                valueDecimals[k] = f.valueDecimals;
                tag1s[k] = f.tag1;
                tag2s[k] = f.tag2;
                revokedStatuses[k] = f.isRevoked;
                ++k;
            }
        }
    }

    /// @notice Responses to one entry (or, with feedbackIndex 0, to all of the client's entries),
    /// from `responders` (at most 100) or from anyone when the list is empty. `clientAddress` is
    /// required: counting over every client would be an unbounded loop.
    function getResponseCount(uint256 agentId, address clientAddress, uint64 feedbackIndex, address[] calldata responders)
        external
        view
        returns (uint64 count)
    {
        if (clientAddress == address(0)) revert ClientsRequired();
        if (responders.length > MAX_QUERY_CLIENTS) revert TooManyAddresses(responders.length, MAX_QUERY_CLIENTS);
        uint64 first = feedbackIndex;
        uint64 last = feedbackIndex;
        if (feedbackIndex == 0) (first, last) = (1, _lastIndex[agentId][clientAddress]);
        for (uint64 j = first; j <= last; ++j) {
            mapping(address => uint64) storage counts = _responseCount[agentId][clientAddress][j];
            if (responders.length == 0) {
                count += counts[address(0)];
            } else {
                for (uint256 r; r < responders.length; ++r) {
                    if (responders[r] != address(0)) count += counts[responders[r]];
                }
            }
        }
    }

    /// @notice Every address that ever gave the agent feedback, in order of first feedback.
    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    /// @notice The client's latest feedback index for the agent (0 = none).
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    /// @notice The ERC-8004 identity registry the agents live in.
    function getIdentityRegistry() external view returns (address) {
        return address(_identity);
    }

    // --------------------------------------------------------------------------------- internal

    function _giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) private returns (uint64 feedbackIndex) {
        if (valueDecimals > MAX_VALUE_DECIMALS) revert InvalidValueDecimals(valueDecimals);
        _checkLength("tag1", tag1, MAX_TAG_LENGTH);
        _checkLength("tag2", tag2, MAX_TAG_LENGTH);
        _checkLength("endpoint", endpoint, MAX_URI_LENGTH);
        _checkLength("feedbackURI", feedbackURI, MAX_URI_LENGTH);
        // isAuthorizedOrOwner reverts for an unknown agent; turn that into a readable error.
        try _identity.isAuthorizedOrOwner(msg.sender, agentId) returns (bool isOperator) {
            if (isOperator) revert SelfFeedbackNotAllowed(agentId, msg.sender);
        } catch {
            revert UnknownAgent(agentId);
        }
        feedbackIndex = _lastIndex[agentId][msg.sender] + 1;
        if (feedbackIndex > MAX_FEEDBACK_PER_CLIENT) revert TooMuchFeedback(agentId, msg.sender);
        _lastIndex[agentId][msg.sender] = feedbackIndex;
        if (feedbackIndex == 1) _clients[agentId].push(msg.sender);
        Feedback storage f = _feedback[agentId][msg.sender][feedbackIndex];
        f.value = value;
        f.valueDecimals = valueDecimals;
        if (bytes(tag1).length != 0) f.tag1 = tag1;
        if (bytes(tag2).length != 0) f.tag2 = tag2;
        emit NewFeedback(
            agentId, msg.sender, feedbackIndex, value, valueDecimals, tag1, tag1, tag2, endpoint, feedbackURI, feedbackHash
        );
    }

    /// @return agentId The agreement's agent, once `client` is its client and a call was redeemed.
    function _requirePaidAgreement(uint256 agreementId, address client) private view returns (uint256 agentId) {
        AgreementEscrow.AgreementView memory a = escrow.getAgreement(agreementId);
        if (a.client != client) revert NotAgreementClient(agreementId, client);
        if (a.redeemedCalls == 0) revert NoRedeemedCalls(agreementId);
        return a.agentId;
    }

    function _requireFeedback(uint256 agentId, address client, uint64 index) private view returns (Feedback storage) {
        if (index == 0 || index > _lastIndex[agentId][client]) revert FeedbackNotFound(agentId, client, index);
        return _feedback[agentId][client][index];
    }

    function _summary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2,
        bool verifiedOnly
    ) private view returns (uint64 count, int128 summaryValue, uint8 decimals) {
        _checkQuery(clientAddresses);
        (bytes32 tag1Hash, bytes32 tag2Hash) = (_hashIfSet(tag1), _hashIfSet(tag2));
        // Pass 1: the common scale is the largest decimals among matching entries.
        for (uint256 i; i < clientAddresses.length; ++i) {
            uint64 last = _lastIndex[agentId][clientAddresses[i]];
            for (uint64 j = 1; j <= last; ++j) {
                Feedback storage f = _feedback[agentId][clientAddresses[i]][j];
                if (!_matches(f, tag1Hash, tag2Hash, false, verifiedOnly)) continue;
                ++count;
                if (f.valueDecimals > decimals) decimals = f.valueDecimals;
            }
        }
        if (count == 0) return (0, 0, 0);
        // Pass 2: sum at that scale. |value| < 2^127 and 10^18 < 2^60, so each term fits in 188
        // bits and 100 * 1000 of them in 205: no int256 overflow.
        int256 sum;
        for (uint256 i; i < clientAddresses.length; ++i) {
            uint64 last = _lastIndex[agentId][clientAddresses[i]];
            for (uint64 j = 1; j <= last; ++j) {
                Feedback storage f = _feedback[agentId][clientAddresses[i]][j];
                if (!_matches(f, tag1Hash, tag2Hash, false, verifiedOnly)) continue;
                sum += int256(f.value) * int256(10 ** (decimals - f.valueDecimals));
            }
        }
        int256 average = sum / int256(uint256(count));
        if (average > type(int128).max || average < type(int128).min) revert SummaryOverflow();
        summaryValue = int128(average);
    }

    function _matches(Feedback storage f, bytes32 tag1Hash, bytes32 tag2Hash, bool includeRevoked, bool verifiedOnly)
        private
        view
        returns (bool)
    {
        if (f.isRevoked && !includeRevoked) return false;
        if (verifiedOnly && !f.isVerified) return false;
        if (tag1Hash != 0 && keccak256(bytes(f.tag1)) != tag1Hash) return false;
        if (tag2Hash != 0 && keccak256(bytes(f.tag2)) != tag2Hash) return false;
        return true;
    }

    function _checkQuery(address[] calldata clientAddresses) private pure {
        if (clientAddresses.length == 0) revert ClientsRequired();
        if (clientAddresses.length > MAX_QUERY_CLIENTS) {
            revert TooManyAddresses(clientAddresses.length, MAX_QUERY_CLIENTS);
        }
    }

    function _checkLength(string memory field, string calldata value, uint256 max) private pure {
        if (bytes(value).length > max) revert InputTooLong(field, bytes(value).length, max);
    }

    function _hashIfSet(string calldata tag) private pure returns (bytes32) {
        return bytes(tag).length == 0 ? bytes32(0) : keccak256(bytes(tag));
    }
}
