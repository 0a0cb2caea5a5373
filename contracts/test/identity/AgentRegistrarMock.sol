// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC8004Identity} from "../../interfaces/IERC8004Identity.sol";

/// @notice Test-only contract that registers agents for itself, with a configurable ERC-721 receiver hook.
contract AgentRegistrarMock is IERC721Receiver {
    enum Mode {
        Accept, // returns the ERC-721 magic value
        WrongValue, // returns another bytes4
        Revert // reverts with a custom error
    }

    error ReceiverRejected(uint256 tokenId);

    IERC8004Identity public immutable registry;
    Mode public mode;
    uint256 public received;

    constructor(IERC8004Identity registry_, Mode mode_) {
        registry = registry_;
        mode = mode_;
    }

    function registerEmpty() external returns (uint256) {
        return registry.register();
    }

    function registerWithURI(string calldata uri) external returns (uint256) {
        return registry.register(uri);
    }

    function registerWithMetadata(string calldata uri, IERC8004Identity.MetadataEntry[] calldata metadata)
        external
        returns (uint256)
    {
        return registry.register(uri, metadata);
    }

    function onERC721Received(address, address, uint256 tokenId, bytes calldata) external returns (bytes4) {
        if (mode == Mode.Revert) revert ReceiverRejected(tokenId);
        if (mode == Mode.WrongValue) return 0xdeadbeef;
        received = tokenId;
        return IERC721Receiver.onERC721Received.selector;
    }
}

/// @notice Test-only contract without an ERC-721 receiver hook.
contract NonReceiverRegistrarMock {
    IERC8004Identity public immutable registry;

    constructor(IERC8004Identity registry_) {
        registry = registry_;
    }

    function registerWithURI(string calldata uri) external returns (uint256) {
        return registry.register(uri);
    }
}
