// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC8004Identity} from "./interfaces/IERC8004Identity.sol";

/// @title AgreementEscrow
/// @notice Escrowed pay-per-call agreements between a client and an agent, settled with cumulative
/// EIP-712 vouchers. A voucher `Invocation(agreementId, calls, amount, requestHash)` signed by the
/// client (or its session key) authorizes call number `calls` and pays for every call up to it, so
/// one `redeem` settles any number of calls.
/// @dev Accounting is in whole calls: a deposit is `fundedCalls * price`, a redemption moves
/// `redeemedCalls` forward, and the escrow holds exactly `(fundedCalls - redeemedCalls) * price` of
/// the agreement's token until it is closed. Prices are immutable "terms" entries written by the
/// agent owner; an agreement locks one by id. Together this keeps an agreement in two storage slots.
/// Fee-on-transfer tokens are refused at deposit time (the received amount must equal the amount
/// sent); rebasing tokens are not supported.
contract AgreementEscrow is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice A price an agent owner published: immutable once written.
    struct Terms {
        address token; // address(0) = ETH
        uint96 price; // per call, in the token's smallest unit
        uint256 agentId;
    }

    /// @dev Two storage slots.
    struct Agreement {
        address client;
        uint56 termsId;
        uint32 expiresAt;
        bool closed;
        address sessionKey;
        uint32 maxCalls;
        uint32 fundedCalls;
        uint32 redeemedCalls;
    }

    /// @notice Everything about an agreement, with amounts in token units.
    struct AgreementView {
        uint256 agentId;
        address client;
        address token;
        uint256 price;
        address sessionKey;
        uint32 maxCalls;
        uint32 fundedCalls;
        uint32 redeemedCalls;
        uint64 expiresAt;
        bool closed;
        uint256 deposit; // fundedCalls * price, everything ever deposited
        uint256 redeemedAmount; // redeemedCalls * price, everything paid to the agent
    }

    /// @notice EIP-712 type of a voucher.
    bytes32 public constant INVOCATION_TYPEHASH =
        keccak256("Invocation(uint256 agreementId,uint256 calls,uint256 amount,bytes32 requestHash)");
    /// @notice EIP-712 type of a worker's receipt for one call (signed off-chain by the attested key).
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "Receipt(uint256 agreementId,uint256 calls,bytes32 requestHash,bytes32 resultHash,address worker,uint64 timestamp)"
    );
    /// @notice After expiry the agent side may still redeem for this long; then the client may close.
    uint256 public constant CLOSE_GRACE_PERIOD = 1 days;
    /// @notice A replaced session key's vouchers stay redeemable for this long.
    uint256 public constant KEY_ROTATION_GRACE = 1 hours;
    /// @notice Longest agreement, from opening to expiry.
    uint256 public constant MAX_DURATION = 365 days;

    /// @notice The ERC-8004 identity registry: agent ownership, operators and payment wallets.
    IERC8004Identity public immutable agentRegistry;

    uint256 private _nextTermsId = 1;
    uint256 private _nextAgreementId = 1;
    mapping(uint256 termsId => Terms) private _terms;
    mapping(uint256 agentId => mapping(address token => uint256 termsId)) private _currentTerms;
    mapping(uint256 agreementId => Agreement) private _agreements;
    /// @dev Every replaced session key keeps its own grace: rotating twice cannot cut a key's short.
    mapping(uint256 agreementId => mapping(address key => uint256 validUntil)) private _replacedKeys;

    event PriceSet(uint256 indexed agentId, address indexed token, uint256 price, uint256 termsId);
    event AgreementOpened(
        uint256 indexed agreementId,
        uint256 indexed agentId,
        address indexed client,
        address token,
        uint256 price,
        uint256 deposit,
        uint32 maxCalls,
        uint64 expiresAt,
        address sessionKey
    );
    event ToppedUp(uint256 indexed agreementId, address indexed from, uint256 amount, uint32 fundedCalls);
    event SessionKeySet(uint256 indexed agreementId, address sessionKey, address previousKey, uint64 previousValidUntil);
    event Redeemed(
        uint256 indexed agreementId,
        uint256 indexed agentId,
        uint32 calls,
        uint256 paid,
        address wallet,
        bytes32 receiptsRoot
    );
    event AgreementClosed(uint256 indexed agreementId, address indexed closedBy, uint32 redeemedCalls, uint256 refund);

    error NotAgentOperator(uint256 agentId, address caller);
    error NotAToken(address token);
    error PriceTooHigh(uint256 price, uint256 max);
    error NoPrice(uint256 agentId, address token);
    error InvalidMaxCalls();
    error InvalidExpiry(uint256 expiresAt, uint256 earliest, uint256 latest);
    error InvalidDeposit(uint256 amount, uint256 price);
    error DepositExceedsMaxCalls(uint256 fundedCalls, uint256 maxCalls);
    error WrongValue(uint256 expected, uint256 sent);
    error FeeOnTransferToken(address token, uint256 expected, uint256 received);
    error UnknownAgreement(uint256 agreementId);
    error AgreementIsClosed(uint256 agreementId);
    error AgreementExpired(uint256 agreementId, uint256 expiresAt);
    error NotClient(uint256 agreementId, address caller);
    error RedeemWindowOver(uint256 agreementId, uint256 deadline);
    error AlreadyRedeemed(uint256 calls, uint256 redeemedCalls);
    error ExceedsMaxCalls(uint256 calls, uint256 maxCalls);
    error ExceedsDeposit(uint256 calls, uint256 fundedCalls);
    error WrongAmount(uint256 expected, uint256 given);
    error InvalidVoucherSignature(uint256 agreementId);
    error CloseNotAllowedYet(uint256 agreementId, uint256 availableAt);
    error NotAllowedToClose(uint256 agreementId, address caller);

    constructor(IERC8004Identity agentRegistry_) EIP712("Agentry", "1") {
        agentRegistry = agentRegistry_;
    }

    // ---------------------------------------------------------------------------------- prices

    /// @notice Publishes the agent's price per call in `token` (address(0) = ETH); 0 withdraws it.
    /// @dev Agent owner or operator only. Open agreements keep the price they locked.
    /// @param price Per call, in the token's smallest unit, at most 2^96 - 1.
    function setPrice(uint256 agentId, address token, uint256 price) external {
        if (!agentRegistry.isAuthorizedOrOwner(msg.sender, agentId)) revert NotAgentOperator(agentId, msg.sender);
        if (token != address(0) && token.code.length == 0) revert NotAToken(token);
        if (price > type(uint96).max) revert PriceTooHigh(price, type(uint96).max);
        uint256 termsId;
        if (price != 0) {
            termsId = _nextTermsId++;
            _terms[termsId] = Terms({token: token, price: uint96(price), agentId: agentId});
        }
        _currentTerms[agentId][token] = termsId;
        emit PriceSet(agentId, token, price, termsId);
    }

    /// @notice The agent's current price per call in `token` (0 = not offered).
    function priceOf(uint256 agentId, address token) external view returns (uint256) {
        return _terms[_currentTerms[agentId][token]].price;
    }

    // ------------------------------------------------------------------------------ agreements

    /// @notice Opens an agreement with an agent at its current price for `token`.
    /// @param agentId The agent.
    /// @param token address(0) for ETH (send `deposit` as value) or an ERC-20 (approve it first).
    /// @param deposit A whole number of calls: a positive multiple of the price.
    /// @param maxCalls Most calls this agreement may ever pay for, top-ups included.
    /// @param expiresAt End of the agreement (unix seconds), at most MAX_DURATION ahead.
    /// @param sessionKey Key that may sign vouchers for this agreement only (address(0) for none).
    /// @return agreementId The new agreement's id.
    function open(
        uint256 agentId,
        address token,
        uint256 deposit,
        uint32 maxCalls,
        uint64 expiresAt,
        address sessionKey
    ) external payable nonReentrant returns (uint256 agreementId) {
        uint256 termsId = _currentTerms[agentId][token];
        if (termsId == 0) revert NoPrice(agentId, token);
        uint256 price = _terms[termsId].price;
        if (maxCalls == 0) revert InvalidMaxCalls();
        if (expiresAt <= block.timestamp || expiresAt > block.timestamp + MAX_DURATION) {
            revert InvalidExpiry(expiresAt, block.timestamp + 1, block.timestamp + MAX_DURATION);
        }
        uint256 fundedCalls = _callsFor(deposit, price);
        if (fundedCalls > maxCalls) revert DepositExceedsMaxCalls(fundedCalls, maxCalls);

        agreementId = _nextAgreementId++;
        _agreements[agreementId] = Agreement({
            client: msg.sender,
            termsId: uint56(termsId),
            expiresAt: uint32(expiresAt),
            closed: false,
            sessionKey: sessionKey,
            maxCalls: maxCalls,
            fundedCalls: uint32(fundedCalls),
            redeemedCalls: 0
        });
        emit AgreementOpened(agreementId, agentId, msg.sender, token, price, deposit, maxCalls, expiresAt, sessionKey);
        _collect(token, deposit);
    }

    /// @notice Adds whole calls to an open, unexpired agreement. Anyone may top up; refunds go to
    /// the client.
    /// @param amount A positive multiple of the agreement's price (send it as value for ETH).
    function topUp(uint256 agreementId, uint256 amount) external payable nonReentrant {
        Agreement storage a = _requireOpen(agreementId);
        if (block.timestamp >= a.expiresAt) revert AgreementExpired(agreementId, a.expiresAt);
        Terms storage t = _terms[a.termsId];
        uint256 fundedCalls = a.fundedCalls + _callsFor(amount, t.price);
        if (fundedCalls > a.maxCalls) revert DepositExceedsMaxCalls(fundedCalls, a.maxCalls);
        a.fundedCalls = uint32(fundedCalls);
        emit ToppedUp(agreementId, msg.sender, amount, uint32(fundedCalls));
        _collect(t.token, amount);
    }

    /// @notice Names a new session key (address(0) for none). Client only. Vouchers signed by the
    /// replaced key stay redeemable for KEY_ROTATION_GRACE, so the agent side can settle the calls
    /// it already served; workers stop accepting the old key at once.
    function setSessionKey(uint256 agreementId, address sessionKey) external {
        Agreement storage a = _requireOpen(agreementId);
        if (msg.sender != a.client) revert NotClient(agreementId, msg.sender);
        address previousKey = a.sessionKey;
        uint64 validUntil;
        if (previousKey != address(0) && previousKey != sessionKey) {
            validUntil = uint64(block.timestamp + KEY_ROTATION_GRACE);
            _replacedKeys[agreementId][previousKey] = validUntil;
        }
        a.sessionKey = sessionKey;
        emit SessionKeySet(agreementId, sessionKey, previousKey, validUntil);
    }

    /// @notice Settles every call up to `calls` with the latest voucher; anyone may submit it.
    /// Pays the agent wallet `(calls - redeemedCalls) * price`, never past maxCalls or the deposit.
    /// @param calls The voucher's call index: strictly above what was redeemed already.
    /// @param amount Must equal `calls * price`.
    /// @param requestHash The request the voucher authorized (see docs/PROTOCOL.md).
    /// @param signature The client's or session key's EIP-712 signature (ERC-1271 for contract clients).
    /// @param receiptsRoot Merkle root of the worker receipts up to `calls`: the on-chain audit anchor.
    function redeem(
        uint256 agreementId,
        uint256 calls,
        uint256 amount,
        bytes32 requestHash,
        bytes calldata signature,
        bytes32 receiptsRoot
    ) external nonReentrant {
        Agreement storage a = _requireOpen(agreementId);
        uint256 deadline = uint256(a.expiresAt) + CLOSE_GRACE_PERIOD;
        if (block.timestamp > deadline) revert RedeemWindowOver(agreementId, deadline);
        uint256 previous = a.redeemedCalls;
        if (calls <= previous) revert AlreadyRedeemed(calls, previous);
        if (calls > a.maxCalls) revert ExceedsMaxCalls(calls, a.maxCalls);
        if (calls > a.fundedCalls) revert ExceedsDeposit(calls, a.fundedCalls);
        Terms storage t = _terms[a.termsId];
        if (amount != calls * t.price) revert WrongAmount(calls * t.price, amount);
        if (!_isAuthorizedSigner(agreementId, a, hashInvocation(agreementId, calls, amount, requestHash), signature)) {
            revert InvalidVoucherSignature(agreementId);
        }
        a.redeemedCalls = uint32(calls);
        _settle(agreementId, t, calls, previous, receiptsRoot);
    }

    /// @notice Closes the agreement and refunds the unspent deposit to the client. The agent side
    /// (owner, operator or payment wallet) may close at any time, giving up unredeemed vouchers; the
    /// client may close once the agreement has expired and CLOSE_GRACE_PERIOD has passed.
    function close(uint256 agreementId) external nonReentrant {
        Agreement storage a = _requireOpen(agreementId);
        Terms storage t = _terms[a.termsId];
        address client = a.client;
        uint256 clientMayCloseAt = uint256(a.expiresAt) + CLOSE_GRACE_PERIOD;
        if (!(msg.sender == client && block.timestamp > clientMayCloseAt) && !_isAgentSide(t.agentId, msg.sender)) {
            if (msg.sender == client) revert CloseNotAllowedYet(agreementId, clientMayCloseAt + 1);
            revert NotAllowedToClose(agreementId, msg.sender);
        }
        a.closed = true;
        uint32 redeemedCalls = a.redeemedCalls;
        uint256 refund = uint256(a.fundedCalls - redeemedCalls) * t.price;
        emit AgreementClosed(agreementId, msg.sender, redeemedCalls, refund);
        if (refund != 0) _pay(t.token, client, refund);
    }

    // ------------------------------------------------------------------------------------ views

    /// @notice The agreement with amounts in token units (client is address(0) for an unknown id).
    function getAgreement(uint256 agreementId) external view returns (AgreementView memory v) {
        Agreement storage a = _agreements[agreementId];
        Terms storage t = _terms[a.termsId];
        v = AgreementView({
            agentId: t.agentId,
            client: a.client,
            token: t.token,
            price: t.price,
            sessionKey: a.sessionKey,
            maxCalls: a.maxCalls,
            fundedCalls: a.fundedCalls,
            redeemedCalls: a.redeemedCalls,
            expiresAt: a.expiresAt,
            closed: a.closed,
            deposit: uint256(a.fundedCalls) * t.price,
            redeemedAmount: uint256(a.redeemedCalls) * t.price
        });
    }

    /// @notice Until when (unix seconds, inclusive) vouchers signed by `key`, a replaced session key
    /// of the agreement, are still redeemable; 0 if `key` was never replaced.
    function replacedKeyValidUntil(uint256 agreementId, address key) external view returns (uint256) {
        return _replacedKeys[agreementId][key];
    }

    /// @notice The terms entry an agreement locked or a price set created.
    function getTerms(uint256 termsId) external view returns (Terms memory) {
        return _terms[termsId];
    }

    /// @notice Id the next agreement will receive.
    function nextAgreementId() external view returns (uint256) {
        return _nextAgreementId;
    }

    /// @notice The EIP-712 digest a voucher signs, in this contract's domain.
    function hashInvocation(uint256 agreementId, uint256 calls, uint256 amount, bytes32 requestHash)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(INVOCATION_TYPEHASH, agreementId, calls, amount, requestHash)));
    }

    /// @notice The EIP-712 digest a worker receipt signs, in this contract's domain. Receipts are
    /// verified off-chain; this is their on-chain definition (and a dispute's starting point).
    function hashReceipt(
        uint256 agreementId,
        uint256 calls,
        bytes32 requestHash,
        bytes32 resultHash,
        address worker,
        uint64 timestamp
    ) external view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(RECEIPT_TYPEHASH, agreementId, calls, requestHash, resultHash, worker, timestamp))
        );
    }

    /// @notice `requestHash` of a call: binds the agent, the tool name and the arguments, given as
    /// the keccak256 of their RFC 8785 canonical JSON (see docs/PROTOCOL.md).
    function hashRequest(uint256 agentId, string calldata toolName, bytes32 argumentsHash)
        external
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(agentId, keccak256(bytes(toolName)), argumentsHash));
    }

    // --------------------------------------------------------------------------------- internal

    function _requireOpen(uint256 agreementId) private view returns (Agreement storage a) {
        a = _agreements[agreementId];
        if (a.client == address(0)) revert UnknownAgreement(agreementId);
        if (a.closed) revert AgreementIsClosed(agreementId);
    }

    /// @dev `amount` as a whole, positive number of calls at `price`.
    function _callsFor(uint256 amount, uint256 price) private pure returns (uint256 calls) {
        if (amount == 0 || amount % price != 0) revert InvalidDeposit(amount, price);
        calls = amount / price;
    }

    /// @dev Client or current session key (ECDSA), a replaced key within its own grace, or ERC-1271 client.
    function _isAuthorizedSigner(uint256 agreementId, Agreement storage a, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bool)
    {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError) {
            if (signer == a.client || signer == a.sessionKey) return true;
            if (block.timestamp <= _replacedKeys[agreementId][signer]) return true;
        }
        return SignatureChecker.isValidERC1271SignatureNowCalldata(a.client, digest, signature);
    }

    function _isAgentSide(uint256 agentId, address account) private view returns (bool) {
        return agentRegistry.isAuthorizedOrOwner(account, agentId) || account == agentRegistry.getAgentWallet(agentId);
    }

    /// @dev Pays the agent for calls (previous, calls]; state is already updated (checks-effects-interactions).
    function _settle(uint256 agreementId, Terms storage t, uint256 calls, uint256 previous, bytes32 receiptsRoot)
        private
    {
        uint256 agentId = t.agentId;
        address wallet = _paymentWallet(agentId);
        uint256 paid = (calls - previous) * t.price;
        emit Redeemed(agreementId, agentId, uint32(calls), paid, wallet, receiptsRoot);
        _pay(t.token, wallet, paid);
    }

    /// @dev The agent's verified wallet, or its owner while none is set (e.g. right after a transfer).
    function _paymentWallet(uint256 agentId) private view returns (address wallet) {
        wallet = agentRegistry.getAgentWallet(agentId);
        if (wallet == address(0)) wallet = IERC721(address(agentRegistry)).ownerOf(agentId);
    }

    /// @dev Takes `amount` from the caller; refuses tokens that deliver less than they were asked to.
    function _collect(address token, uint256 amount) private {
        if (token == address(0)) {
            if (msg.value != amount) revert WrongValue(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert WrongValue(0, msg.value);
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert FeeOnTransferToken(token, amount, received);
    }

    function _pay(address token, address to, uint256 amount) private {
        if (token == address(0)) Address.sendValue(payable(to), amount);
        else IERC20(token).safeTransfer(to, amount);
    }
}
