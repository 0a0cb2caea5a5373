// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {AgentRegistry} from "../../contracts/AgentRegistry.sol";
import {AgreementEscrow} from "../../contracts/AgreementEscrow.sol";
import {IERC8004Identity} from "../../contracts/interfaces/IERC8004Identity.sol";
import {MockERC20} from "../../contracts/test/MockERC20.sol";

/// @notice Fuzz tests of AgreementEscrow's voucher arithmetic, signature checks and time windows.
contract AgreementEscrowFuzzTest is Test {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant MAX_PRICE = type(uint96).max;
    uint256 internal constant GRACE = 1 days;
    uint256 internal constant START = 1_750_000_000;

    AgentRegistry internal registry;
    AgreementEscrow internal escrow;
    MockERC20 internal token;

    address internal owner = makeAddr("agentOwner");
    uint256 internal walletPk = 0xA11CE;
    address internal wallet;
    uint256 internal clientPk = 0xC11E17;
    address internal client;
    uint256 internal sessionPk = 0x5E5510;
    address internal sessionKey;
    address internal relayer = makeAddr("relayer");
    uint256 internal agentId;

    bytes32 internal constant REQUEST = keccak256("request");
    bytes32 internal constant ROOT = keccak256("receipts");

    function setUp() public {
        vm.warp(START);
        wallet = vm.addr(walletPk);
        client = vm.addr(clientPk);
        sessionKey = vm.addr(sessionPk);
        registry = new AgentRegistry();
        escrow = new AgreementEscrow(IERC8004Identity(address(registry)));
        token = new MockERC20("Test USD", "TUSD", 6);
        vm.prank(owner);
        agentId = registry.register("https://agent.example/registration.json");
        _setWallet();
        assertEq(registry.getAgentWallet(agentId), wallet);
    }

    // ---------------------------------------------------------------------------------- helpers

    /// @dev Points the agent's payments at `wallet` (distinct from the owner) with an EIP-712 proof.
    function _setWallet() internal {
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
        bytes32 structHash = keccak256(
            abi.encode(registry.AGENT_WALLET_SET_TYPEHASH(), agentId, wallet, owner, deadline)
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(walletPk, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        vm.prank(owner);
        registry.setAgentWallet(agentId, wallet, deadline, abi.encodePacked(r, s, v));
    }

    function _tokenAddr(bool useToken) internal view returns (address) {
        return useToken ? address(token) : address(0);
    }

    function _balance(bool useToken, address who) internal view returns (uint256) {
        return useToken ? token.balanceOf(who) : who.balance;
    }

    function _setPrice(bool useToken, uint256 price) internal {
        vm.prank(owner);
        escrow.setPrice(agentId, _tokenAddr(useToken), price);
        assertEq(escrow.priceOf(agentId, _tokenAddr(useToken)), price);
    }

    /// @dev Funds `from` and sends `amount` with `call` (open/topUp) from it.
    function _fund(bool useToken, address from, uint256 amount) internal {
        if (useToken) {
            token.mint(from, amount);
            vm.prank(from);
            token.approve(address(escrow), amount);
        } else {
            vm.deal(from, from.balance + amount);
        }
    }

    function _open(bool useToken, uint256 price, uint256 fundedCalls, uint32 maxCalls, uint64 expiresAt)
        internal
        returns (uint256 id)
    {
        _setPrice(useToken, price);
        uint256 deposit = fundedCalls * price;
        _fund(useToken, client, deposit);
        vm.prank(client);
        id = escrow.open{value: useToken ? 0 : deposit}(
            agentId, _tokenAddr(useToken), deposit, maxCalls, expiresAt, sessionKey
        );
        AgreementEscrow.AgreementView memory v = escrow.getAgreement(id);
        assertEq(v.client, client);
        assertEq(v.price, price);
        assertEq(v.fundedCalls, fundedCalls);
        assertEq(v.deposit, deposit);
        assertEq(v.redeemedCalls, 0);
    }

    function _topUp(bool useToken, uint256 id, uint256 amount) internal {
        address payer = makeAddr("payer");
        _fund(useToken, payer, amount);
        vm.prank(payer);
        escrow.topUp{value: useToken ? 0 : amount}(id, amount);
    }

    function _sig(uint256 pk, uint256 id, uint256 calls, uint256 amount) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, escrow.hashInvocation(id, calls, amount, REQUEST));
        return abi.encodePacked(r, s, v);
    }

    function _redeem(uint256 pk, uint256 id, uint256 calls, uint256 amount) internal {
        bytes memory sig = _sig(pk, id, calls, amount);
        vm.prank(relayer);
        escrow.redeem(id, calls, amount, REQUEST, sig, ROOT);
    }

    function _boundPk(uint256 pk) internal pure returns (uint256) {
        return bound(pk, 1, SECP256K1_N - 1);
    }

    // ------------------------------------------------------------------------------ EIP-712 hash

    /// @notice hashInvocation is the EIP-712 digest of Invocation in ("Agentry","1",chainid,escrow).
    function testFuzz_hashInvocationMatchesEip712(uint256 id, uint256 calls, uint256 amount, bytes32 requestHash)
        public
        view
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Agentry"),
                keccak256("1"),
                block.chainid,
                address(escrow)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Invocation(uint256 agreementId,uint256 calls,uint256 amount,bytes32 requestHash)"),
                id,
                calls,
                amount,
                requestHash
            )
        );
        assertEq(escrow.hashInvocation(id, calls, amount, requestHash), keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
    }

    // ------------------------------------------------------------------------- redeem sequences

    /// @notice Any sequence of vouchers (valid, replayed, past maxCalls, past the deposit, with
    /// top-ups in between) pays the agent wallet exactly highestCalls * price, never more than the
    /// deposit, never past maxCalls; closing refunds the rest so refund + paid == deposited.
    function testFuzz_redeemSequencePaysExactly(
        uint256 price,
        uint32 maxCalls,
        uint32 fundedCalls,
        uint64[10] memory steps,
        bool useToken,
        bool agentCloses
    ) public {
        price = bound(price, 1, MAX_PRICE);
        maxCalls = uint32(bound(maxCalls, 1, type(uint32).max));
        fundedCalls = uint32(bound(fundedCalls, 1, maxCalls));
        uint64 expiresAt = uint64(block.timestamp + 30 days);
        uint256 id = _open(useToken, price, fundedCalls, maxCalls, expiresAt);

        uint256 walletBefore = _balance(useToken, wallet);
        uint256 clientBefore = _balance(useToken, client);
        uint256 funded = fundedCalls;
        uint256 deposited = funded * price;
        uint256 redeemed;
        assertEq(_balance(useToken, address(escrow)), deposited);

        for (uint256 i; i < steps.length; ++i) {
            uint256 x = steps[i] >> 3;
            uint256 mode = steps[i] & 7;
            if (mode == 7) {
                // top-up of k calls, refused past maxCalls
                uint256 k = bound(x, 1, 2 * uint256(maxCalls));
                uint256 topUpAmount = k * price;
                if (funded + k > maxCalls) {
                    address payer = makeAddr("payer");
                    _fund(useToken, payer, topUpAmount);
                    vm.expectRevert(
                        abi.encodeWithSelector(AgreementEscrow.DepositExceedsMaxCalls.selector, funded + k, maxCalls)
                    );
                    vm.prank(payer);
                    escrow.topUp{value: useToken ? 0 : topUpAmount}(id, topUpAmount);
                } else {
                    _topUp(useToken, id, topUpAmount);
                    funded += k;
                    deposited += topUpAmount;
                }
                continue;
            }
            uint256 calls;
            if (mode <= 3) {
                // usually a valid next voucher
                calls = funded > redeemed ? redeemed + 1 + (x % (funded - redeemed)) : funded + 1 + (x % 4);
            } else if (mode == 4) {
                calls = x % (redeemed + 1); // at or below what was redeemed: a replay
            } else if (mode == 5) {
                calls = uint256(funded) + 1 + (x % 1000); // past the deposit (and maybe maxCalls)
            } else {
                calls = x; // anything
            }
            uint256 pk = (i & 1) == 0 ? clientPk : sessionPk;
            bytes memory err;
            if (calls <= redeemed) {
                err = abi.encodeWithSelector(AgreementEscrow.AlreadyRedeemed.selector, calls, redeemed);
            } else if (calls > maxCalls) {
                err = abi.encodeWithSelector(AgreementEscrow.ExceedsMaxCalls.selector, calls, maxCalls);
            } else if (calls > funded) {
                err = abi.encodeWithSelector(AgreementEscrow.ExceedsDeposit.selector, calls, funded);
            }
            // amount is only meaningful (and only computed without overflow) for calls <= maxCalls
            uint256 amount = calls <= maxCalls ? calls * price : 0;
            bytes memory sig = _sig(pk, id, calls, amount);
            uint256 walletPrev = _balance(useToken, wallet);
            if (err.length != 0) {
                vm.expectRevert(err);
                vm.prank(relayer);
                escrow.redeem(id, calls, amount, REQUEST, sig, ROOT);
                assertEq(_balance(useToken, wallet), walletPrev, "failed redeem paid");
            } else {
                vm.prank(relayer);
                escrow.redeem(id, calls, amount, REQUEST, sig, ROOT);
                assertEq(_balance(useToken, wallet) - walletPrev, (calls - redeemed) * price, "paid this step");
                redeemed = calls;
            }
            uint256 paid = _balance(useToken, wallet) - walletBefore;
            assertEq(paid, redeemed * price, "paid == highest calls * price");
            assertLe(paid, deposited, "paid <= deposit");
            assertLe(redeemed, maxCalls, "redeemed <= maxCalls");
            AgreementEscrow.AgreementView memory v = escrow.getAgreement(id);
            assertEq(v.redeemedCalls, redeemed);
            assertEq(v.fundedCalls, funded);
            assertEq(v.redeemedAmount, paid);
            assertEq(v.deposit, deposited);
            assertEq(_balance(useToken, address(escrow)), deposited - paid, "escrow holds the rest");
        }

        uint256 paidTotal = _balance(useToken, wallet) - walletBefore;
        if (agentCloses) {
            vm.prank(owner);
        } else {
            vm.warp(uint256(expiresAt) + GRACE + 1);
            vm.prank(client);
        }
        escrow.close(id);
        uint256 refund = _balance(useToken, client) - clientBefore;
        assertEq(refund, (funded - redeemed) * price, "refund");
        assertEq(refund + paidTotal, deposited, "refund + paid == deposit");
        assertEq(_balance(useToken, address(escrow)), 0, "escrow empty");
        assertTrue(escrow.getAgreement(id).closed);

        // nothing more can be redeemed or refunded
        if (redeemed < funded) {
            bytes memory sig = _sig(clientPk, id, funded, funded * price);
            vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.AgreementIsClosed.selector, id));
            escrow.redeem(id, funded, funded * price, REQUEST, sig, ROOT);
        }
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.AgreementIsClosed.selector, id));
        vm.prank(owner);
        escrow.close(id);
    }

    // ------------------------------------------------------------------------ invalid vouchers

    /// @notice A voucher whose amount is not calls * price reverts, even when properly signed.
    function testFuzz_wrongAmountReverts(uint256 price, uint32 fundedCalls, uint256 calls, uint256 amount, bool useToken)
        public
    {
        price = bound(price, 1, MAX_PRICE);
        fundedCalls = uint32(bound(fundedCalls, 1, type(uint32).max));
        calls = bound(calls, 1, fundedCalls);
        vm.assume(amount != calls * price);
        uint256 id = _open(useToken, price, fundedCalls, fundedCalls, uint64(block.timestamp + 1 days));
        bytes memory sig = _sig(clientPk, id, calls, amount);
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.WrongAmount.selector, calls * price, amount));
        escrow.redeem(id, calls, amount, REQUEST, sig, ROOT);
        assertEq(_balance(useToken, wallet), 0);
        assertEq(escrow.getAgreement(id).redeemedCalls, 0);
    }

    /// @notice After redeeming r calls, any voucher for calls <= r reverts (including the same one).
    function testFuzz_callsNotAboveRedeemedReverts(
        uint256 price,
        uint32 fundedCalls,
        uint256 redeemTo,
        uint256 calls,
        bool useSessionKey
    ) public {
        price = bound(price, 1, MAX_PRICE);
        fundedCalls = uint32(bound(fundedCalls, 1, type(uint32).max));
        redeemTo = bound(redeemTo, 1, fundedCalls);
        calls = bound(calls, 0, redeemTo);
        uint256 id = _open(false, price, fundedCalls, fundedCalls, uint64(block.timestamp + 1 days));
        uint256 pk = useSessionKey ? sessionPk : clientPk;
        bytes memory first = _sig(pk, id, redeemTo, redeemTo * price);
        escrow.redeem(id, redeemTo, redeemTo * price, REQUEST, first, ROOT);
        assertEq(wallet.balance, redeemTo * price);

        // the very same voucher cannot be replayed
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.AlreadyRedeemed.selector, redeemTo, redeemTo));
        escrow.redeem(id, redeemTo, redeemTo * price, REQUEST, first, ROOT);

        bytes memory sig = _sig(pk, id, calls, calls * price);
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.AlreadyRedeemed.selector, calls, redeemTo));
        escrow.redeem(id, calls, calls * price, REQUEST, sig, ROOT);
        assertEq(wallet.balance, redeemTo * price);
        assertEq(escrow.getAgreement(id).redeemedCalls, redeemTo);
    }

    /// @notice A voucher signed by any key other than the client's or the session key reverts.
    function testFuzz_randomSignerReverts(uint256 pk, uint256 price, uint32 fundedCalls, uint256 calls, bool useToken)
        public
    {
        pk = _boundPk(pk);
        vm.assume(pk != clientPk && pk != sessionPk);
        price = bound(price, 1, MAX_PRICE);
        fundedCalls = uint32(bound(fundedCalls, 1, type(uint32).max));
        calls = bound(calls, 1, fundedCalls);
        uint256 id = _open(useToken, price, fundedCalls, fundedCalls, uint64(block.timestamp + 1 days));
        bytes memory sig = _sig(pk, id, calls, calls * price);
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.InvalidVoucherSignature.selector, id));
        escrow.redeem(id, calls, calls * price, REQUEST, sig, ROOT);
        assertEq(_balance(useToken, wallet), 0);
        // the client's own signature of the same voucher does redeem
        _redeem(clientPk, id, calls, calls * price);
        assertEq(_balance(useToken, wallet), calls * price);
    }

    /// @notice Arbitrary 65-byte signatures (not made by the client or session key) never redeem.
    function testFuzz_garbageSignatureReverts(bytes32 r, bytes32 s, uint8 v, uint32 calls) public {
        calls = uint32(bound(calls, 1, 100));
        uint256 id = _open(false, 1 ether, 100, 100, uint64(block.timestamp + 1 days));
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.InvalidVoucherSignature.selector, id));
        escrow.redeem(id, calls, uint256(calls) * 1 ether, REQUEST, abi.encodePacked(r, s, v), ROOT);
        assertEq(wallet.balance, 0);
    }

    /// @notice A voucher signed for another agreement id never redeems this one, even when both
    /// agreements have the same client, price and calls.
    function testFuzz_voucherForOtherAgreementReverts(uint256 otherId, uint256 price, uint32 calls, bool useSessionKey)
        public
    {
        price = bound(price, 1, MAX_PRICE);
        calls = uint32(bound(calls, 1, 1000));
        uint64 expiresAt = uint64(block.timestamp + 1 days);
        uint256 a = _open(false, price, 1000, 1000, expiresAt);
        uint256 b = _open(false, price, 1000, 1000, expiresAt);
        if (otherId % 3 == 0) otherId = a; // often the real sibling agreement
        vm.assume(otherId != b);
        uint256 pk = useSessionKey ? sessionPk : clientPk;
        bytes memory sig = _sig(pk, otherId, calls, calls * price);
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.InvalidVoucherSignature.selector, b));
        escrow.redeem(b, calls, calls * price, REQUEST, sig, ROOT);
        assertEq(wallet.balance, 0);
        assertEq(escrow.getAgreement(b).redeemedCalls, 0);
        if (otherId == a) {
            // ... while it does redeem the agreement it was signed for
            escrow.redeem(a, calls, calls * price, REQUEST, sig, ROOT);
            assertEq(wallet.balance, uint256(calls) * price);
            assertEq(escrow.getAgreement(b).redeemedCalls, 0);
        }
    }

    /// @notice A replaced session key signs valid vouchers for KEY_ROTATION_GRACE, then never again.
    function testFuzz_rotatedKeyGrace(uint256 newPk, uint256 delay, uint32 calls) public {
        newPk = _boundPk(newPk);
        vm.assume(newPk != sessionPk && newPk != clientPk);
        delay = bound(delay, 0, 3 hours);
        calls = uint32(bound(calls, 1, 100));
        uint256 id = _open(false, 1000, 100, 100, uint64(block.timestamp + 1 days));
        vm.prank(client);
        escrow.setSessionKey(id, vm.addr(newPk));
        // (via-IR may cache block.timestamp within a test, so time is tracked explicitly)
        uint256 rotatedAt = vm.getBlockTimestamp();
        assertEq(escrow.replacedKeyValidUntil(id, sessionKey), rotatedAt + escrow.KEY_ROTATION_GRACE());
        assertEq(escrow.replacedKeyValidUntil(id, vm.addr(newPk)), 0);
        vm.warp(rotatedAt + delay);
        bytes memory oldSig = _sig(sessionPk, id, calls, calls * 1000);
        if (delay <= escrow.KEY_ROTATION_GRACE()) {
            escrow.redeem(id, calls, calls * 1000, REQUEST, oldSig, ROOT);
            assertEq(wallet.balance, uint256(calls) * 1000);
        } else {
            vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.InvalidVoucherSignature.selector, id));
            escrow.redeem(id, calls, calls * 1000, REQUEST, oldSig, ROOT);
            assertEq(wallet.balance, 0);
            // the new key works
            _redeem(newPk, id, calls, calls * 1000);
            assertEq(wallet.balance, uint256(calls) * 1000);
        }
    }

    /// @notice A client must not be able to void the vouchers of a replaced key by rotating again:
    /// after A -> B -> C within the hour, vouchers signed by A still redeem until A's grace ends
    /// (docs/ARCHITECTURE.md: "a client cannot rotate keys to void vouchers for calls already served").
    /// @dev FAILS against the current contract: `_rotations` keeps only the last replaced key, so
    /// the second rotation drops A's grace at once.
    function testFuzz_secondRotationKeepsFirstKeyGrace(uint256 gap, uint256 delay, uint32 calls) public {
        gap = bound(gap, 0, 1 hours);
        delay = bound(delay, gap, 1 hours); // redeem within A's grace
        calls = uint32(bound(calls, 1, 100));
        uint256 pkB = 0xB0B;
        uint256 pkC = 0xC0C;
        uint256 id = _open(false, 1000, 100, 100, uint64(block.timestamp + 1 days));
        // calls were served with vouchers signed by the session key A (sessionPk)
        bytes memory sigA = _sig(sessionPk, id, calls, uint256(calls) * 1000);
        vm.prank(client);
        escrow.setSessionKey(id, vm.addr(pkB));
        vm.warp(START + gap);
        vm.prank(client);
        escrow.setSessionKey(id, vm.addr(pkC));
        vm.warp(START + delay);
        escrow.redeem(id, calls, uint256(calls) * 1000, REQUEST, sigA, ROOT);
        assertEq(wallet.balance, uint256(calls) * 1000);
    }

    // ---------------------------------------------------------------------------- time windows

    /// @notice Redeem works up to expiresAt + CLOSE_GRACE_PERIOD and reverts after; top-ups stop at
    /// expiresAt; the client may close only after the grace period, the agent side at any time.
    function testFuzz_expiryAndGraceEdges(uint256 duration, uint256 offset, uint32 calls, bool useToken) public {
        duration = bound(duration, 1, 365 days);
        uint64 expiresAt = uint64(block.timestamp + duration);
        uint256 deadline = uint256(expiresAt) + GRACE;
        // offsets cluster around the edges: expiresAt, deadline, deadline + 1
        uint256 t;
        uint256 pick = offset % 6;
        if (pick == 0) t = expiresAt;
        else if (pick == 1) t = deadline;
        else if (pick == 2) t = deadline + 1;
        else if (pick == 3) t = uint256(expiresAt) - 1;
        else t = bound(offset, block.timestamp, deadline + 3 days);
        calls = uint32(bound(calls, 1, 10));
        uint256 price = 7;
        uint256 id = _open(useToken, price, 10, 20, expiresAt);
        vm.warp(t);

        // top-up only strictly before expiresAt
        {
            address payer = makeAddr("payer");
            _fund(useToken, payer, price);
            if (t >= expiresAt) {
                vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.AgreementExpired.selector, id, expiresAt));
            }
            vm.prank(payer);
            escrow.topUp{value: useToken ? 0 : price}(id, price);
            assertEq(escrow.getAgreement(id).fundedCalls, t < expiresAt ? 11 : 10);
        }

        bytes memory sig = _sig(clientPk, id, calls, calls * price);
        if (t > deadline) {
            vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.RedeemWindowOver.selector, id, deadline));
            escrow.redeem(id, calls, calls * price, REQUEST, sig, ROOT);
            assertEq(_balance(useToken, wallet), 0);
        } else {
            escrow.redeem(id, calls, calls * price, REQUEST, sig, ROOT);
            assertEq(_balance(useToken, wallet), calls * price);
        }

        // a stranger may never close
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.NotAllowedToClose.selector, id, stranger));
        vm.prank(stranger);
        escrow.close(id);

        uint256 clientBefore = _balance(useToken, client);
        if (t <= deadline) {
            vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.CloseNotAllowedYet.selector, id, deadline + 1));
            vm.prank(client);
            escrow.close(id);
            assertFalse(escrow.getAgreement(id).closed);
            // the agent side (here the payment wallet) may close at any time
            vm.prank(wallet);
            escrow.close(id);
        } else {
            vm.prank(client);
            escrow.close(id);
        }
        AgreementEscrow.AgreementView memory v = escrow.getAgreement(id);
        assertTrue(v.closed);
        assertEq(_balance(useToken, client) - clientBefore, (uint256(v.fundedCalls) - v.redeemedCalls) * price);
        assertEq(_balance(useToken, address(escrow)), 0);
        assertEq(_balance(useToken, wallet) + _balance(useToken, client) - clientBefore, v.deposit);
    }

    // ---------------------------------------------------------------------------- deposit rules

    /// @notice open accepts only a positive multiple of the price with deposit/price <= maxCalls.
    function testFuzz_openDepositRules(uint256 price, uint256 deposit, uint32 maxCalls, bool useToken) public {
        price = bound(price, 1, MAX_PRICE);
        maxCalls = uint32(bound(maxCalls, 1, type(uint32).max));
        deposit = bound(deposit, 0, uint256(type(uint32).max) * 2 * price);
        _setPrice(useToken, price);
        _fund(useToken, client, deposit);
        uint64 expiresAt = uint64(block.timestamp + 1 days);
        if (deposit == 0 || deposit % price != 0) {
            vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.InvalidDeposit.selector, deposit, price));
        } else if (deposit / price > maxCalls) {
            vm.expectRevert(
                abi.encodeWithSelector(AgreementEscrow.DepositExceedsMaxCalls.selector, deposit / price, maxCalls)
            );
        }
        vm.prank(client);
        uint256 id = escrow.open{value: useToken ? 0 : deposit}(
            agentId, _tokenAddr(useToken), deposit, maxCalls, expiresAt, address(0)
        );
        bool ok = deposit != 0 && deposit % price == 0 && deposit / price <= maxCalls;
        assertEq(_balance(useToken, address(escrow)), ok ? deposit : 0);
        if (ok) assertEq(escrow.getAgreement(id).fundedCalls, deposit / price);
    }

    /// @notice An agreement keeps the price it locked when the agent changes or withdraws its price.
    function testFuzz_lockedPriceSurvivesPriceChange(uint256 price, uint256 newPrice, uint32 calls) public {
        price = bound(price, 1, MAX_PRICE);
        newPrice = bound(newPrice, 0, MAX_PRICE);
        calls = uint32(bound(calls, 1, 50));
        uint256 id = _open(true, price, 50, 60, uint64(block.timestamp + 1 days));
        vm.prank(owner);
        escrow.setPrice(agentId, address(token), newPrice);
        // the voucher must use the locked price
        if (newPrice != price) {
            bytes memory bad = _sig(clientPk, id, calls, calls * newPrice);
            vm.expectRevert(abi.encodeWithSelector(AgreementEscrow.WrongAmount.selector, calls * price, calls * newPrice));
            escrow.redeem(id, calls, calls * newPrice, REQUEST, bad, ROOT);
        }
        _redeem(sessionPk, id, calls, calls * price);
        assertEq(token.balanceOf(wallet), calls * price);
        _topUp(true, id, price);
        vm.prank(owner);
        escrow.close(id);
        assertEq(token.balanceOf(client), (51 - uint256(calls)) * price);
        assertEq(token.balanceOf(address(escrow)), 0);
    }
}
