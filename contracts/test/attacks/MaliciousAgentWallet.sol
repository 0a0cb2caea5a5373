// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @notice Test-only agent payment wallet. It consents to any AgentWalletSet proof (ERC-1271), can
/// hold the agent NFT, and on receiving ETH either accepts it, reverts, or re-enters a target (the
/// escrow) with a preset payload, recording whether the reentrant call succeeded.
contract MaliciousAgentWallet is IERC1271, IERC721Receiver {
    enum Mode {
        Accept,
        Revert,
        Reenter
    }

    Mode public mode;
    address public target;
    bytes public payload;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryReturnData;
    bool private _inHook;

    error NoThanks();

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function arm(address target_, bytes calldata payload_) external {
        mode = Mode.Reenter;
        target = target_;
        payload = payload_;
        attempted = false;
        reentrySucceeded = false;
        delete reentryReturnData;
    }

    /// @notice Acts as the agent owner (e.g. setAgentWallet, approve) when it holds the NFT.
    function execute(address to, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        return IERC1271.isValidSignature.selector;
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return IERC721Receiver.onERC721Received.selector;
    }

    receive() external payable {
        if (mode == Mode.Revert) revert NoThanks();
        if (mode == Mode.Reenter && !_inHook) {
            _inHook = true;
            attempted = true;
            (bool ok, bytes memory ret) = target.call(payload);
            reentrySucceeded = ok;
            reentryReturnData = ret;
            _inHook = false;
        }
    }
}
