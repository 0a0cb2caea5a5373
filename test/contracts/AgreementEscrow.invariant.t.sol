// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {AgentRegistry} from "../../contracts/AgentRegistry.sol";
import {AgreementEscrow} from "../../contracts/AgreementEscrow.sol";
import {IERC8004Identity} from "../../contracts/interfaces/IERC8004Identity.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";

/// @notice Drives AgreementEscrow with bounded random actions, predicts the outcome of every call
/// (success or the exact custom error), checks it, and keeps ghost accounting of what moved where.
/// @dev Every escrow call goes through try/catch: a wrong prediction, an unexpected success or a
/// failed call that changed state is counted in `violations` (checked by an invariant), so the
/// handler itself never reverts. Time is read with vm.getBlockTimestamp() because via-IR may cache
/// `block.timestamp` within a call.
contract EscrowHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant GRACE = 1 days;
    uint256 internal constant ROTATION_GRACE = 1 hours;
    uint256 internal constant MAX_AGREEMENTS = 16;
    uint256 internal constant N_CLIENTS = 3;
    uint256 internal constant N_KEYS = 3;

    struct Ghost {
        address client;
        address token;
        uint256 price;
        uint256 clientPk;
        uint32 maxCalls;
        uint32 funded;
        uint32 redeemed;
        uint64 expiresAt;
        bool closed;
        uint256 sessionPk; // 0 = none
        uint256 deposited; // measured: escrow balance increase from open + top-ups
        uint256 paid; // measured: agent wallet balance increase from redeems
        uint256 refunded; // measured: client balance increase at close
    }

    AgreementEscrow public immutable escrow;
    AgentRegistry public immutable registry;
    MockERC20 public immutable token;
    uint256 public immutable agentId;
    address public immutable owner;
    address public immutable wallet;
    address public immutable operator;

    uint256[N_CLIENTS] internal clientPks = [uint256(0xC1000001), 0xC1000002, 0xC1000003];
    uint256[N_KEYS] internal keyPks = [uint256(0x5E000001), 0x5E000002, 0x5E000003];
    /// @dev Model of the escrow's per-key grace: agreement => replaced session key pk => valid until
    /// (inclusive; 0 = never replaced). Each replaced key keeps its own grace.
    mapping(uint256 => mapping(uint256 => uint256)) internal _replacedUntil;
    address public stranger = makeAddr("stranger");

    mapping(address token => uint256) public currentPrice;
    uint256[] public ids;
    mapping(uint256 id => Ghost) internal _g;
    mapping(address token => uint256) public totalDeposited;
    mapping(address token => uint256) public totalPaid;
    mapping(address token => uint256) public totalRefunded;

    uint256 public violations;
    string public firstViolation;
    mapping(bytes32 action => uint256) public okCount;
    mapping(bytes32 action => uint256) public revertCount;

    constructor(AgreementEscrow escrow_, AgentRegistry registry_, MockERC20 token_, uint256 agentId_, address owner_, address wallet_, address operator_) {
        operator = operator_;
        escrow = escrow_;
        registry = registry_;
        token = token_;
        agentId = agentId_;
        owner = owner_;
        wallet = wallet_;
    }

    // ------------------------------------------------------------------------------- views

    function ghost(uint256 id) external view returns (Ghost memory) {
        return _g[id];
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function count(string calldata action) external view returns (uint256 ok, uint256 reverted) {
        bytes32 k = keccak256(bytes(action));
        return (okCount[k], revertCount[k]);
    }

    // ----------------------------------------------------------------------------- actions

    /// @notice Agent owner publishes (or withdraws, 1 in 8) a price for ETH or the token.
    function setPrice(bool useToken, uint256 price) external {
        _setPrice(useToken, price);
    }

    function _setPrice(bool useToken, uint256 price) internal {
        address t = useToken ? address(token) : address(0);
        price = price % 8 == 0 ? 0 : _bound(price, 1, type(uint96).max);
        // prices spread over magnitudes: 1 wei up to 2^96 - 1
        if (price != 0) price = _bound(price >> (price % 96), 1, type(uint96).max);
        vm.prank(owner);
        try escrow.setPrice(agentId, t, price) {
            currentPrice[t] = price;
            _ok("setPrice");
        } catch {
            _violation("setPrice reverted");
        }
    }

    /// @notice A client opens an agreement at the current price (sometimes with too small maxCalls).
    function open(uint256 clientSeed, bool useToken, uint256 calls, uint256 extra, uint256 duration, uint256 keySeed)
        external
    {
        if (ids.length >= MAX_AGREEMENTS) return;
        _open(clientSeed, useToken, calls, extra, duration, keySeed);
    }

    function _open(uint256 clientSeed, bool useToken, uint256 calls, uint256 extra, uint256 duration, uint256 keySeed)
        internal
    {
        uint256 now_ = vm.getBlockTimestamp();
        address t = useToken ? address(token) : address(0);
        uint256 cpk = clientPks[clientSeed % N_CLIENTS];
        address client = vm.addr(cpk);
        uint256 spk = keySeed % (N_KEYS + 1) == N_KEYS ? 0 : keyPks[keySeed % (N_KEYS + 1)];
        calls = _bound(calls, 1, 40);
        uint256 maxCalls = extra % 8 == 0 ? calls - 1 : calls + _bound(extra, 0, 40);
        uint64 expiresAt = uint64(now_ + _bound(duration, 1 hours, 3 days));
        uint256 price = currentPrice[t];
        uint256 deposit = calls * price;
        if (price == 0) deposit = _bound(calls, 1, 1e18);

        bytes memory expected;
        if (price == 0) expected = abi.encodeWithSelector(AgreementEscrow.NoPrice.selector, agentId, t);
        else if (maxCalls == 0) expected = abi.encodeWithSelector(AgreementEscrow.InvalidMaxCalls.selector);
        else if (calls > maxCalls) {
            expected = abi.encodeWithSelector(AgreementEscrow.DepositExceedsMaxCalls.selector, calls, maxCalls);
        }

        _fund(t, client, deposit);
        uint256 expectedId = escrow.nextAgreementId();
        uint256 escrowBefore = _bal(t, address(escrow));
        uint256 clientBefore = _bal(t, client);
        vm.prank(client);
        try escrow.open{value: t == address(0) ? deposit : 0}(
            agentId, t, deposit, uint32(maxCalls), expiresAt, spk == 0 ? address(0) : vm.addr(spk)
        ) returns (uint256 id) {
            if (expected.length != 0) {
                _violation("open succeeded unexpectedly");
                return;
            }
            if (id != expectedId) {
                _violation("open returned wrong id");
                return;
            }
            if (_bal(t, address(escrow)) - escrowBefore != deposit) {
                _violation("open: escrow received != deposit");
                return;
            }
            if (clientBefore - _bal(t, client) != deposit) {
                _violation("open: client paid != deposit");
                return;
            }
            ids.push(id);
            _g[id] = Ghost({
                client: client,
                token: t,
                price: price,
                clientPk: cpk,
                maxCalls: uint32(maxCalls),
                funded: uint32(calls),
                redeemed: 0,
                expiresAt: expiresAt,
                closed: false,
                sessionPk: spk,
                deposited: deposit,
                paid: 0,
                refunded: 0
            });
            totalDeposited[t] += deposit;
            _ok("open");
        } catch (bytes memory err) {
            _checkRevert("open", err, expected);
            if (_bal(t, address(escrow)) != escrowBefore) _violation("failed open moved funds");
        }
    }

    /// @notice Anyone tops up an agreement with whole calls (1 in 10 a non-multiple of the price).
    function topUp(uint256 idSeed, uint256 calls, uint256 payerSeed) external {
        if (ids.length == 0) return;
        uint256 now_ = vm.getBlockTimestamp();
        uint256 id = _pick(idSeed, payerSeed >> 8, PICK_UNEXPIRED, now_);
        Ghost storage a = _g[id];
        address payer = payerSeed % 4 == 3 ? stranger : vm.addr(clientPks[payerSeed % 4]);
        uint256 headroom = uint256(a.maxCalls) - a.funded;
        // mostly within maxCalls, sometimes past it
        calls = (payerSeed >> 16) % 4 != 0 && headroom != 0 ? _bound(calls, 1, headroom) : _bound(calls, 1, 30);
        uint256 amount = calls * a.price;
        bool badAmount = payerSeed % 10 == 0 && a.price > 1;
        if (badAmount) amount += 1;

        bytes memory expected;
        if (a.closed) expected = abi.encodeWithSelector(AgreementEscrow.AgreementIsClosed.selector, id);
        else if (now_ >= a.expiresAt) {
            expected = abi.encodeWithSelector(AgreementEscrow.AgreementExpired.selector, id, a.expiresAt);
        } else if (badAmount) {
            expected = abi.encodeWithSelector(AgreementEscrow.InvalidDeposit.selector, amount, a.price);
        } else if (uint256(a.funded) + calls > a.maxCalls) {
            expected = abi.encodeWithSelector(
                AgreementEscrow.DepositExceedsMaxCalls.selector, uint256(a.funded) + calls, a.maxCalls
            );
        }

        _fund(a.token, payer, amount);
        bytes32 before = _snapshot(id);
        uint256 escrowBefore = _bal(a.token, address(escrow));
        vm.prank(payer);
        try escrow.topUp{value: a.token == address(0) ? amount : 0}(id, amount) {
            if (expected.length != 0) {
                _violation("topUp succeeded unexpectedly");
                return;
            }
            if (_bal(a.token, address(escrow)) - escrowBefore != amount) {
                _violation("topUp: escrow received != amount");
                return;
            }
            a.funded += uint32(calls);
            a.deposited += amount;
            totalDeposited[a.token] += amount;
            if (escrow.getAgreement(id).fundedCalls != a.funded) _violation("topUp: fundedCalls");
            _ok("topUp");
        } catch (bytes memory err) {
            _checkRevert("topUp", err, expected);
            if (_snapshot(id) != before) _violation("failed topUp changed state");
        }
    }

    /// @notice Redeems a valid, increasing voucher signed by the client, the session key or a
    /// replaced key still within its grace, on an agreement that can still be redeemed.
    function redeem(uint256 idSeed, uint256 callsSeed, uint256 signerSeed) external {
        uint256 now_ = vm.getBlockTimestamp();
        uint256 n = ids.length;
        uint256 id;
        for (uint256 i; i < n; ++i) {
            uint256 cand = ids[(idSeed + i) % n];
            Ghost storage c = _g[cand];
            if (!c.closed && now_ <= uint256(c.expiresAt) + GRACE && c.funded > c.redeemed) {
                id = cand;
                break;
            }
        }
        if (id == 0) {
            // nothing redeemable: open a fresh agreement so that redeem is exercised in every run
            if (n >= MAX_AGREEMENTS + 8) {
                ++revertCount[keccak256("redeem:skipped")];
                return;
            }
            bool useToken = idSeed % 2 == 0;
            if (currentPrice[useToken ? address(token) : address(0)] == 0) _setPrice(useToken, (signerSeed << 3) | 1);
            _open(idSeed, useToken, callsSeed, (signerSeed << 3) | 1, 1 days, signerSeed);
            if (ids.length == n) {
                _violation("redeem: seeding open failed");
                return;
            }
            id = ids[n];
            ++okCount[keccak256("redeem:seeded")];
        }
        Ghost storage a = _g[id];
        uint256 calls = uint256(a.redeemed) + 1 + callsSeed % (uint256(a.funded) - a.redeemed);
        // authorized signers right now
        uint256[N_KEYS + 2] memory pks;
        uint256 m;
        pks[m++] = a.clientPk;
        if (a.sessionPk != 0) pks[m++] = a.sessionPk;
        for (uint256 k; k < N_KEYS; ++k) {
            if (keyPks[k] != a.sessionPk && now_ <= _replacedUntil[id][keyPks[k]]) pks[m++] = keyPks[k];
        }
        uint256 pk = pks[signerSeed % m];
        _tryRedeem("redeem", id, calls, calls * a.price, _sign(pk, id, calls, calls * a.price), true, now_);
    }

    /// @notice Submits an invalid voucher; it must revert with the predicted error and change nothing.
    function redeemInvalid(uint256 idSeed, uint256 kind, uint256 seed) external {
        if (ids.length == 0) return;
        uint256 now_ = vm.getBlockTimestamp();
        uint256 id = ids[idSeed % ids.length];
        Ghost storage a = _g[id];
        uint256 calls = uint256(a.redeemed) + 1 + (a.funded > a.redeemed ? seed % (uint256(a.funded) - a.redeemed) : 0);
        uint256 amount = calls * a.price;
        uint256 pk = a.clientPk;
        bool sigOk = true;
        uint256 signedId = id;
        kind = kind % 8;
        if (kind == 0) {
            // wrong amount: off by one wei or by one call
            uint256 k = seed % 4;
            if (k == 0) amount += 1;
            else if (k == 1) amount -= 1; // amount >= price >= 1
            else if (k == 2) amount += a.price;
            else amount -= a.price;
        } else if (kind == 1) {
            calls = seed % (uint256(a.redeemed) + 1); // replay: at or below what was redeemed
            amount = calls * a.price;
        } else if (kind == 2) {
            calls = uint256(a.funded) + 1 + seed % 5; // past the deposit (maybe past maxCalls)
            amount = calls * a.price;
        } else if (kind == 3) {
            pk = _bound(seed, 1, 1_000_000); // a stranger's key: disjoint from the client and session keys
            sigOk = false;
        } else if (kind == 4) {
            signedId = id + 1 + seed % 20; // signed for another agreement
            sigOk = false;
        } else if (kind == 5 && _expiredReplacedKey(id, now_) != 0) {
            pk = _expiredReplacedKey(id, now_); // replaced key after its grace
            sigOk = false;
        } else if (kind == 6) {
            id = escrow.nextAgreementId() + seed % 5; // unknown agreement
            signedId = id;
        } else {
            // valid voucher, redeemable only if the agreement is: counts as invalid only when it is not
            if (!a.closed && now_ <= uint256(a.expiresAt) + GRACE && a.funded > a.redeemed) {
                pk = 0x5E0000FF; // never a session key of any agreement
                sigOk = false;
            }
        }
        bytes memory sig = _sign(pk, signedId, calls, amount);
        if (kind == 7 && seed % 3 == 0) {
            sig = abi.encodePacked(keccak256(abi.encode(seed)), keccak256(abi.encode(seed, 1)), uint8(27 + seed % 2));
            sigOk = false;
        }
        _tryRedeem("redeemInvalid", id, calls, amount, sig, sigOk, now_);
    }

    /// @notice The client (or, 1 in 4, someone else) names a new session key or removes it.
    function setSessionKey(uint256 idSeed, uint256 keySeed, uint256 callerSeed) external {
        if (ids.length == 0) return;
        uint256 now_ = vm.getBlockTimestamp();
        uint256 id = _pick(idSeed, callerSeed >> 8, PICK_ANY_OPEN, now_);
        Ghost storage a = _g[id];
        uint256 spk = keySeed % (N_KEYS + 1) == N_KEYS ? 0 : keyPks[keySeed % (N_KEYS + 1)];
        address caller = callerSeed % 4 == 3 ? stranger : a.client;
        bytes memory expected;
        if (a.closed) expected = abi.encodeWithSelector(AgreementEscrow.AgreementIsClosed.selector, id);
        else if (caller != a.client) expected = abi.encodeWithSelector(AgreementEscrow.NotClient.selector, id, caller);
        bytes32 before = _snapshot(id);
        vm.prank(caller);
        try escrow.setSessionKey(id, spk == 0 ? address(0) : vm.addr(spk)) {
            if (expected.length != 0) {
                _violation("setSessionKey succeeded unexpectedly");
                return;
            }
            uint256 replaced = a.sessionPk;
            if (replaced != 0 && replaced != spk) _replacedUntil[id][replaced] = now_ + ROTATION_GRACE;
            a.sessionPk = spk;
            for (uint256 k; k < N_KEYS; ++k) {
                if (escrow.replacedKeyValidUntil(id, vm.addr(keyPks[k])) != _replacedUntil[id][keyPks[k]]) {
                    _violation("setSessionKey: per-key grace record");
                }
            }
            _ok("setSessionKey");
        } catch (bytes memory err) {
            _checkRevert("setSessionKey", err, expected);
            if (_snapshot(id) != before) _violation("failed setSessionKey changed state");
        }
    }

    /// @notice Moves time forward by up to a day.
    function warp(uint256 secs) external {
        secs = _bound(secs, 0, 1 days);
        vm.warp(vm.getBlockTimestamp() + secs);
        _ok("warp");
    }

    /// @notice Closes an agreement as the agent owner, its payment wallet, the client or a stranger.
    function close(uint256 idSeed, uint256 closerSeed) external {
        if (ids.length == 0) return;
        uint256 now_ = vm.getBlockTimestamp();
        // 0 owner, 1 payment wallet, 2 approved operator (agent side); 3 client; 4 stranger
        uint256 who = closerSeed % 5;
        uint256 id = _pick(idSeed, closerSeed >> 8, who == 3 ? PICK_PAST_GRACE : PICK_ANY_OPEN, now_);
        Ghost storage a = _g[id];
        address closer = who == 0 ? owner : who == 1 ? wallet : who == 2 ? operator : who == 3 ? a.client : stranger;
        uint256 clientMayCloseAt = uint256(a.expiresAt) + GRACE;
        bytes memory expected;
        if (a.closed) expected = abi.encodeWithSelector(AgreementEscrow.AgreementIsClosed.selector, id);
        else if (who == 3 && now_ <= clientMayCloseAt) {
            expected = abi.encodeWithSelector(AgreementEscrow.CloseNotAllowedYet.selector, id, clientMayCloseAt + 1);
        } else if (who == 4) {
            expected = abi.encodeWithSelector(AgreementEscrow.NotAllowedToClose.selector, id, closer);
        }
        bytes32 before = _snapshot(id);
        uint256 clientBefore = _bal(a.token, a.client);
        uint256 walletBefore = _bal(a.token, wallet);
        uint256 escrowBefore = _bal(a.token, address(escrow));
        vm.prank(closer);
        try escrow.close(id) {
            if (expected.length != 0) {
                _violation("close succeeded unexpectedly");
                return;
            }
            uint256 refund = _bal(a.token, a.client) - clientBefore;
            if (refund != (uint256(a.funded) - a.redeemed) * a.price) _violation("close: refund");
            if (escrowBefore - _bal(a.token, address(escrow)) != refund) _violation("close: escrow outflow != refund");
            if (_bal(a.token, wallet) != walletBefore) _violation("close paid the agent");
            a.closed = true;
            a.refunded = refund;
            totalRefunded[a.token] += refund;
            if (who == 3) _ok("close:client");
            else _ok("close:agent");
            _ok("close");
        } catch (bytes memory err) {
            _checkRevert("close", err, expected);
            if (_snapshot(id) != before) _violation("failed close changed state");
        }
    }

    // ---------------------------------------------------------------------------- internal

    uint256 internal constant PICK_ANY_OPEN = 0;
    uint256 internal constant PICK_PAST_GRACE = 1;
    uint256 internal constant PICK_UNEXPIRED = 2;

    /// @dev 1 in 6 any agreement (closed ones included); otherwise an open one, preferably one that
    /// also matches `want` (past its grace period, or not expired yet).
    function _pick(uint256 idSeed, uint256 modeSeed, uint256 want, uint256 now_) internal view returns (uint256) {
        uint256 n = ids.length;
        uint256 fallbackId = ids[idSeed % n];
        if (modeSeed % 6 == 0) return fallbackId;
        uint256 openId;
        for (uint256 i; i < n; ++i) {
            uint256 cand = ids[(idSeed + i) % n];
            Ghost storage c = _g[cand];
            if (c.closed) continue;
            if (want == PICK_ANY_OPEN) return cand;
            if (want == PICK_PAST_GRACE && now_ > uint256(c.expiresAt) + GRACE) return cand;
            if (want == PICK_UNEXPIRED && now_ < c.expiresAt) return cand;
            if (openId == 0) openId = cand;
        }
        return openId != 0 ? openId : fallbackId;
    }

    function _tryRedeem(
        string memory label,
        uint256 id,
        uint256 calls,
        uint256 amount,
        bytes memory sig,
        bool sigOk,
        uint256 now_
    ) internal {
        Ghost storage a = _g[id];
        bytes memory expected = _redeemError(id, calls, amount, sigOk, now_);
        bool mustFail = keccak256(bytes(label)) == keccak256("redeemInvalid");
        if (mustFail && expected.length == 0) {
                _violation("handler built a valid 'invalid' voucher");
                return;
            }
        bytes32 before = _snapshot(id);
        uint256 walletBefore = _bal(a.token, wallet);
        uint256 escrowBefore = _bal(a.token, address(escrow));
        vm.prank(stranger); // anyone may submit a voucher
        try escrow.redeem(id, calls, amount, keccak256(abi.encode(calls)), sig, keccak256(abi.encode(id, calls))) {
            if (expected.length != 0) {
                _violation(string.concat(label, ": succeeded unexpectedly"));
                return;
            }
            uint256 paid = _bal(a.token, wallet) - walletBefore;
            if (paid != (calls - a.redeemed) * a.price) _violation("redeem: paid != (calls - redeemed) * price");
            if (escrowBefore - _bal(a.token, address(escrow)) != paid) _violation("redeem: escrow outflow != paid");
            a.redeemed = uint32(calls);
            a.paid += paid;
            totalPaid[a.token] += paid;
            _ok(label);
        } catch (bytes memory err) {
            _checkRevert(label, err, expected);
            if (_snapshot(id) != before) _violation(string.concat(label, ": failed redeem changed state"));
        }
    }

    /// @dev The error AgreementEscrow.redeem must revert with, in its check order ("" = success).
    function _redeemError(uint256 id, uint256 calls, uint256 amount, bool sigOk, uint256 now_)
        internal
        view
        returns (bytes memory)
    {
        Ghost storage a = _g[id];
        if (a.client == address(0)) return abi.encodeWithSelector(AgreementEscrow.UnknownAgreement.selector, id);
        if (a.closed) return abi.encodeWithSelector(AgreementEscrow.AgreementIsClosed.selector, id);
        uint256 deadline = uint256(a.expiresAt) + GRACE;
        if (now_ > deadline) return abi.encodeWithSelector(AgreementEscrow.RedeemWindowOver.selector, id, deadline);
        if (calls <= a.redeemed) return abi.encodeWithSelector(AgreementEscrow.AlreadyRedeemed.selector, calls, a.redeemed);
        if (calls > a.maxCalls) return abi.encodeWithSelector(AgreementEscrow.ExceedsMaxCalls.selector, calls, a.maxCalls);
        if (calls > a.funded) return abi.encodeWithSelector(AgreementEscrow.ExceedsDeposit.selector, calls, a.funded);
        if (amount != calls * a.price) {
            return abi.encodeWithSelector(AgreementEscrow.WrongAmount.selector, calls * a.price, amount);
        }
        if (!sigOk) return abi.encodeWithSelector(AgreementEscrow.InvalidVoucherSignature.selector, id);
        return "";
    }

    /// @dev A replaced key whose grace is over and that is not the current session key (0 if none).
    function _expiredReplacedKey(uint256 id, uint256 now_) internal view returns (uint256) {
        for (uint256 k; k < N_KEYS; ++k) {
            uint256 until = _replacedUntil[id][keyPks[k]];
            if (until != 0 && now_ > until && keyPks[k] != _g[id].sessionPk) return keyPks[k];
        }
        return 0;
    }

    function _sign(uint256 pk, uint256 id, uint256 calls, uint256 amount) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, escrow.hashInvocation(id, calls, amount, keccak256(abi.encode(calls))));
        return abi.encodePacked(r, s, v);
    }

    /// @dev Everything a failed call must leave untouched: the agreement, its per-key grace records and
    /// the escrow's and agent wallet's balances in both currencies.
    function _snapshot(uint256 id) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                escrow.getAgreement(id),
                escrow.replacedKeyValidUntil(id, vm.addr(keyPks[0])),
                escrow.replacedKeyValidUntil(id, vm.addr(keyPks[1])),
                escrow.replacedKeyValidUntil(id, vm.addr(keyPks[2])),
                address(escrow).balance,
                token.balanceOf(address(escrow)),
                wallet.balance,
                token.balanceOf(wallet)
            )
        );
    }

    function _fund(address t, address who, uint256 amount) internal {
        if (t == address(0)) {
            vm.deal(who, who.balance + amount);
        } else {
            token.mint(who, amount);
            vm.prank(who);
            token.approve(address(escrow), amount);
        }
    }

    function _bal(address t, address who) internal view returns (uint256) {
        return t == address(0) ? who.balance : token.balanceOf(who);
    }

    function _checkRevert(string memory label, bytes memory err, bytes memory expected) internal {
        if (expected.length == 0) {
                _violation(string.concat(label, ": unexpected revert"));
                return;
            }
        if (keccak256(err) != keccak256(expected)) {
                _violation(string.concat(label, ": wrong revert reason"));
                return;
            }
        ++revertCount[keccak256(bytes(label))];
    }

    function _ok(string memory action) internal {
        ++okCount[keccak256(bytes(action))];
    }

    function _violation(string memory what) internal {
        if (violations == 0) firstViolation = what;
        ++violations;
    }
}

/// @notice Invariants of AgreementEscrow's accounting under random use.
contract AgreementEscrowInvariantTest is Test {
    AgentRegistry internal registry;
    AgreementEscrow internal escrow;
    MockERC20 internal token;
    EscrowHandler internal handler;
    address internal owner = makeAddr("agentOwner");
    uint256 internal walletPk = 0xA11CE;
    address internal wallet;

    function setUp() public {
        vm.warp(1_750_000_000);
        wallet = vm.addr(walletPk);
        registry = new AgentRegistry();
        escrow = new AgreementEscrow(IERC8004Identity(address(registry)));
        token = new MockERC20("Test USD", "TUSD", 6);
        vm.prank(owner);
        uint256 agentId = registry.register("ipfs://bafkreiepjypcrifzjfdjkkmu7wtednbsw6bj7uqvi5j72jhp6tf2bzgy4y");

        // payments go to a dedicated wallet (not the owner), proven with its EIP-712 signature
        uint256 deadline = block.timestamp + 60;
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ERC8004IdentityRegistry"),
                keccak256("1"),
                block.chainid,
                address(registry)
            )
        );
        bytes32 structHash = keccak256(abi.encode(registry.AGENT_WALLET_SET_TYPEHASH(), agentId, wallet, owner, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(walletPk, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        vm.prank(owner);
        registry.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, s, v));

        // an ERC-721 operator of the owner also counts as the agent side
        address operator = makeAddr("operator");
        vm.prank(owner);
        registry.setApprovalForAll(operator, true);
        assertTrue(registry.isAuthorizedOrOwner(operator, agentId));

        handler = new EscrowHandler(escrow, registry, token, agentId, owner, wallet, operator);
        // start with prices in both currencies so early opens succeed
        handler.setPrice(false, 1e15 + 1);
        handler.setPrice(true, 1e6 + 1);

        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = EscrowHandler.setPrice.selector;
        selectors[1] = EscrowHandler.open.selector;
        selectors[2] = EscrowHandler.topUp.selector;
        selectors[3] = EscrowHandler.redeem.selector;
        selectors[4] = EscrowHandler.redeemInvalid.selector;
        selectors[5] = EscrowHandler.setSessionKey.selector;
        selectors[6] = EscrowHandler.warp.selector;
        selectors[7] = EscrowHandler.close.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function _bal(address t, address who) internal view returns (uint256) {
        return t == address(0) ? who.balance : token.balanceOf(who);
    }

    /// @dev Every call the handler made behaved exactly as predicted (outcome and exact revert
    /// reason) and failed calls changed nothing; checked along with each invariant.
    function _assertPredictionsHeld() internal view {
        assertEq(handler.violations(), 0, handler.firstViolation());
    }

    /// @notice (a) Per token, the escrow holds exactly the unspent deposits of open agreements.
    function invariant_escrowBalanceEqualsOutstanding() public view {
        _assertPredictionsHeld();
        uint256 n = handler.idCount();
        uint256 outstandingEth;
        uint256 outstandingToken;
        uint256 ghostEth;
        uint256 ghostToken;
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.ids(i);
            AgreementEscrow.AgreementView memory v = escrow.getAgreement(id);
            EscrowHandler.Ghost memory g = handler.ghost(id);
            if (v.closed) continue;
            uint256 owed = (uint256(v.fundedCalls) - v.redeemedCalls) * v.price;
            uint256 ghostOwed = (uint256(g.funded) - g.redeemed) * g.price;
            if (v.token == address(0)) {
                outstandingEth += owed;
                ghostEth += ghostOwed;
            } else {
                outstandingToken += owed;
                ghostToken += ghostOwed;
            }
        }
        assertEq(address(escrow).balance, outstandingEth, "ETH balance != outstanding");
        assertEq(token.balanceOf(address(escrow)), outstandingToken, "token balance != outstanding");
        assertEq(outstandingEth, ghostEth, "ETH outstanding != ghost");
        assertEq(outstandingToken, ghostToken, "token outstanding != ghost");
    }

    /// @notice (b) No agreement ever paid the agent side more than calls * price for its highest
    /// redeemed calls, nor more than its deposit; redeemed calls never pass funded calls or maxCalls.
    function invariant_paidWithinRedeemedAndDeposit() public view {
        _assertPredictionsHeld();
        uint256 n = handler.idCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.ids(i);
            AgreementEscrow.AgreementView memory v = escrow.getAgreement(id);
            EscrowHandler.Ghost memory g = handler.ghost(id);
            assertEq(v.redeemedCalls, g.redeemed, "redeemedCalls != highest redeemed voucher");
            assertEq(v.price, g.price, "locked price changed");
            assertEq(v.client, g.client, "client changed");
            assertLe(g.paid, uint256(g.redeemed) * g.price, "paid > highest calls * price");
            assertLe(g.paid, v.deposit, "paid > deposit");
            assertEq(v.deposit, g.deposited, "deposit != measured deposits");
            assertLe(v.redeemedCalls, v.fundedCalls, "redeemed > funded");
            assertLe(v.fundedCalls, v.maxCalls, "funded > maxCalls");
        }
    }

    /// @notice (c) Nothing is paid twice: per token, paid to the agent + refunded to clients +
    /// escrow balance == deposited, and each agreement's paid amount is redeemedCalls * price exactly.
    function invariant_nothingPaidTwice() public view {
        _assertPredictionsHeld();
        address[2] memory tokens = [address(0), address(token)];
        for (uint256 k; k < 2; ++k) {
            address t = tokens[k];
            uint256 paid = handler.totalPaid(t);
            uint256 refunded = handler.totalRefunded(t);
            uint256 deposited = handler.totalDeposited(t);
            assertEq(_bal(t, wallet), paid, "wallet balance != total paid");
            assertEq(paid + refunded + _bal(t, address(escrow)), deposited, "paid + refunded + held != deposited");
        }
        uint256 n = handler.idCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.ids(i);
            AgreementEscrow.AgreementView memory v = escrow.getAgreement(id);
            EscrowHandler.Ghost memory g = handler.ghost(id);
            assertEq(g.paid, uint256(v.redeemedCalls) * v.price, "paid != redeemedCalls * price");
            assertEq(g.paid, v.redeemedAmount, "paid != redeemedAmount");
            if (v.closed) assertEq(g.paid + g.refunded, v.deposit, "closed: paid + refunded != deposit");
            else assertEq(g.refunded, 0, "open agreement refunded");
        }
    }

    /// @notice The run exercised the interesting paths, so the invariants above are not vacuous.
    function afterInvariant() public view {
        (uint256 opened,) = handler.count("open");
        (uint256 redeemed,) = handler.count("redeem");
        (, uint256 rejected) = handler.count("redeemInvalid");
        (uint256 closed,) = handler.count("close");
        assertGt(opened, 0, "no agreement opened");
        assertGt(redeemed, 0, "no voucher redeemed");
        assertGt(rejected, 0, "no invalid voucher rejected");
        assertGt(closed, 0, "no agreement closed");
        assertEq(handler.violations(), 0, handler.firstViolation());
    }
}
