// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 whose transfer / transferFrom call back into a target (the escrow) with
/// a preset payload once, and record what happened. The outer transfer proceeds either way, so a
/// test can check both that the reentrant call failed and that no extra funds moved.
contract ReentrantToken is ERC20 {
    enum Hook {
        None,
        OnTransfer,
        OnTransferFrom
    }

    Hook public hook;
    address public target;
    bytes public payload;
    uint256 public callValue;
    bool public attempted;
    bool public reentrySucceeded;
    bytes public reentryReturnData;
    bool private _inHook;

    constructor() ERC20("Reentrant", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: the next matching transfer calls `target` with `payload` (and `value` wei).
    function arm(Hook hook_, address target_, bytes calldata payload_, uint256 value) external {
        hook = hook_;
        target = target_;
        payload = payload_;
        callValue = value;
        attempted = false;
        reentrySucceeded = false;
        delete reentryReturnData;
    }

    /// @notice Lets this contract act (approve, open...) as a party, e.g. to be an agent operator.
    function execute(address to, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        bool ok = super.transfer(to, value);
        if (hook == Hook.OnTransfer) _reenter();
        return ok;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        bool ok = super.transferFrom(from, to, value);
        if (hook == Hook.OnTransferFrom) _reenter();
        return ok;
    }

    function _reenter() private {
        if (_inHook) return;
        _inHook = true;
        attempted = true;
        (bool ok, bytes memory ret) = target.call{value: callValue}(payload);
        reentrySucceeded = ok;
        reentryReturnData = ret;
        _inHook = false;
    }

    receive() external payable {}
}
