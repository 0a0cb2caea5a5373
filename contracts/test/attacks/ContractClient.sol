// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test-only smart-account client. `isValidSignature` accepts a digest signed by its owner
/// key while `accepting` is true, and rejects everything otherwise.
contract ContractClient is IERC1271 {
    address public immutable owner;
    bool public accepting = true;

    error NotOwner();

    constructor(address owner_) {
        owner = owner_;
    }

    function setAccepting(bool accepting_) external {
        if (msg.sender != owner) revert NotOwner();
        accepting = accepting_;
    }

    function execute(address to, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        if (msg.sender != owner) revert NotOwner();
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signature);
        if (accepting && err == ECDSA.RecoverError.NoError && signer == owner) {
            return IERC1271.isValidSignature.selector;
        }
        return 0xffffffff;
    }

    receive() external payable {}
}
