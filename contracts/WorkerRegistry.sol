// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC8004Identity} from "./interfaces/IERC8004Identity.sol";

/// @title WorkerRegistry
/// @notice Worker nodes, their TEE attestations, who validated them, and which workers each agent
/// allows. A worker is identified by its signing key: the key generated inside the TEE, bound by the
/// attestation evidence (report data / user data = hash of the key) and used to sign receipts.
/// @dev Attestation evidence is verified off-chain (it needs collateral and certificate chains);
/// validators approved by the owner record the result on-chain, in the spirit of ERC-8004's
/// Validation Registry. Anyone can re-verify from the evidence URI. Every on-chain list here is a
/// mapping: no loop runs over user-controlled data.
contract WorkerRegistry is Ownable2Step, EIP712 {
    /// @notice Kind of trusted execution environment behind a worker key.
    /// DEV is a key with no hardware behind it, accepted only where the deployment allows it.
    enum TeeType {
        DEV,
        SGX,
        TDX,
        NITRO
    }

    struct Worker {
        address operator; // who registered it and may update or retire it
        TeeType teeType;
        uint64 expiresAt; // the evidence's own validity (certificate / collateral expiry)
        bool retired;
        bytes32 measurement; // MRENCLAVE, MRTD or hash of PCR0
        string evidenceURI; // content address of the raw quote / document and collateral
        string endpoint; // the worker's MCP endpoint URL
    }

    struct Validation {
        address validator;
        uint64 expiresAt;
        bytes32 measurement;
    }

    /// @notice Longest accepted evidence URI or endpoint URL, in bytes.
    uint256 public constant MAX_URI_LENGTH = 512;

    /// @notice EIP-712 type the worker key signs to consent to its registration by `operator`.
    bytes32 public constant WORKER_REGISTRATION_TYPEHASH = keccak256(
        "WorkerRegistration(address worker,address operator,uint8 teeType,bytes32 measurement,string evidenceURI,string endpoint,uint64 expiresAt)"
    );

    /// @notice The ERC-8004 identity registry whose agents approve workers here.
    IERC8004Identity public immutable agentRegistry;
    /// @notice Whether DEV (unattested) workers may register: true only for local deployments.
    bool public immutable allowDevWorkers;

    mapping(address worker => Worker) private _workers;
    mapping(address worker => Validation) private _validations;
    mapping(address account => bool) private _validators;
    mapping(uint256 agentId => mapping(address worker => bool)) private _approvedWorkers;
    mapping(uint256 agentId => mapping(bytes32 measurement => bool)) private _pinnedMeasurements;

    event WorkerRegistered(
        address indexed worker,
        address indexed operator,
        TeeType teeType,
        bytes32 measurement,
        string evidenceURI,
        string endpoint,
        uint64 expiresAt
    );
    event WorkerAttestationUpdated(address indexed worker, bytes32 measurement, string evidenceURI, uint64 expiresAt);
    event WorkerEndpointUpdated(address indexed worker, string endpoint);
    event WorkerRetired(address indexed worker);
    event ValidatorSet(address indexed validator, bool allowed);
    event WorkerValidated(address indexed worker, address indexed validator, bytes32 measurement, uint64 expiresAt);
    event ValidationRevoked(address indexed worker, address indexed revokedBy);
    event WorkerApprovalSet(uint256 indexed agentId, address indexed worker, bool approved);
    event MeasurementPinSet(uint256 indexed agentId, bytes32 indexed measurement, bool pinned);

    error WorkerAlreadyRegistered(address worker);
    error UnknownWorker(address worker);
    error WorkerIsRetired(address worker);
    error NotWorkerOperator(address worker, address caller);
    error DevWorkersNotAllowed();
    error InvalidWorkerKey();
    error EmptyMeasurement();
    error InvalidExpiry(uint64 expiresAt);
    error InvalidURI(string field, uint256 length, uint256 max);
    error InvalidWorkerSignature(address worker);
    error NotValidator(address caller);
    error MeasurementMismatch(bytes32 expected, bytes32 given);
    error ValidationOutlivesEvidence(uint64 validationExpiry, uint64 evidenceExpiry);
    error NotValidated(address worker);
    error NotAgentOperator(uint256 agentId, address caller);

    /// @param initialOwner Account that approves validators (use a multisig on real networks).
    /// @param agentRegistry_ The ERC-8004 identity registry.
    /// @param allowDevWorkers_ Accept DEV workers (no TEE): set only on local chains.
    constructor(address initialOwner, IERC8004Identity agentRegistry_, bool allowDevWorkers_)
        Ownable(initialOwner)
        EIP712("Agentry", "1")
    {
        agentRegistry = agentRegistry_;
        allowDevWorkers = allowDevWorkers_;
    }

    // ---------------------------------------------------------------------------------- workers

    /// @notice Registers a worker key with its attestation. The caller becomes its operator.
    /// @param worker The worker's signing key (an address whose private key lives in the TEE).
    /// @param teeType DEV, SGX, TDX or NITRO.
    /// @param measurement Code measurement the evidence reports (MRENCLAVE, MRTD, PCR0 hash).
    /// @param evidenceURI Content address of the evidence, e.g. `ipfs://<CID>`.
    /// @param endpoint The worker's MCP endpoint URL.
    /// @param expiresAt When the evidence stops being valid (unix seconds).
    /// @param workerSignature The worker key's EIP-712 signature of WorkerRegistration: proof that the
    /// operator holds the key, so nobody can register someone else's key.
    function registerWorker(
        address worker,
        TeeType teeType,
        bytes32 measurement,
        string calldata evidenceURI,
        string calldata endpoint,
        uint64 expiresAt,
        bytes calldata workerSignature
    ) external {
        if (worker == address(0)) revert InvalidWorkerKey();
        if (_workers[worker].operator != address(0)) revert WorkerAlreadyRegistered(worker);
        if (teeType == TeeType.DEV && !allowDevWorkers) revert DevWorkersNotAllowed();
        _checkAttestation(measurement, evidenceURI, expiresAt);
        _checkURI("endpoint", endpoint);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    WORKER_REGISTRATION_TYPEHASH,
                    worker,
                    msg.sender,
                    uint8(teeType),
                    measurement,
                    keccak256(bytes(evidenceURI)),
                    keccak256(bytes(endpoint)),
                    expiresAt
                )
            )
        );
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, workerSignature);
        if (err != ECDSA.RecoverError.NoError || signer != worker) revert InvalidWorkerSignature(worker);

        _workers[worker] = Worker({
            operator: msg.sender,
            teeType: teeType,
            expiresAt: expiresAt,
            retired: false,
            measurement: measurement,
            evidenceURI: evidenceURI,
            endpoint: endpoint
        });
        emit WorkerRegistered(worker, msg.sender, teeType, measurement, evidenceURI, endpoint, expiresAt);
    }

    /// @notice Replaces the worker's evidence (renewal or new code). Clears its validation: the new
    /// evidence must be validated again. Operator only.
    function updateAttestation(address worker, bytes32 measurement, string calldata evidenceURI, uint64 expiresAt)
        external
    {
        Worker storage w = _requireWorkerOperator(worker);
        _checkAttestation(measurement, evidenceURI, expiresAt);
        w.measurement = measurement;
        w.evidenceURI = evidenceURI;
        w.expiresAt = expiresAt;
        if (_validations[worker].validator != address(0)) {
            delete _validations[worker];
            emit ValidationRevoked(worker, msg.sender);
        }
        emit WorkerAttestationUpdated(worker, measurement, evidenceURI, expiresAt);
    }

    /// @notice Moves the worker to a new MCP endpoint URL. Operator only.
    function setWorkerEndpoint(address worker, string calldata endpoint) external {
        Worker storage w = _requireWorkerOperator(worker);
        _checkURI("endpoint", endpoint);
        w.endpoint = endpoint;
        emit WorkerEndpointUpdated(worker, endpoint);
    }

    /// @notice Retires the worker for good: it is never eligible again. Operator only.
    function retireWorker(address worker) external {
        Worker storage w = _requireWorkerOperator(worker);
        w.retired = true;
        emit WorkerRetired(worker);
    }

    // ------------------------------------------------------------------------------- validation

    /// @notice Allows or disallows an attestation validator. Owner only.
    function setValidator(address validator, bool allowed) external onlyOwner {
        _validators[validator] = allowed;
        emit ValidatorSet(validator, allowed);
    }

    /// @notice Records that the caller verified the worker's evidence off-chain.
    /// @param measurement Must equal the registered measurement: a validator attests to that code.
    /// @param expiresAt End of the validation; at most the evidence's own expiry.
    function validateWorker(address worker, bytes32 measurement, uint64 expiresAt) external {
        if (!_validators[msg.sender]) revert NotValidator(msg.sender);
        Worker storage w = _requireActiveWorker(worker);
        if (measurement != w.measurement) revert MeasurementMismatch(w.measurement, measurement);
        if (expiresAt <= block.timestamp) revert InvalidExpiry(expiresAt);
        if (expiresAt > w.expiresAt) revert ValidationOutlivesEvidence(expiresAt, w.expiresAt);
        _validations[worker] = Validation({validator: msg.sender, expiresAt: expiresAt, measurement: measurement});
        emit WorkerValidated(worker, msg.sender, measurement, expiresAt);
    }

    /// @notice Withdraws a worker's validation. Any validator or the owner.
    function revokeValidation(address worker) external {
        if (!_validators[msg.sender] && msg.sender != owner()) revert NotValidator(msg.sender);
        if (_validations[worker].validator == address(0)) revert NotValidated(worker);
        delete _validations[worker];
        emit ValidationRevoked(worker, msg.sender);
    }

    // ---------------------------------------------------------------------------- agent choices

    /// @notice Allows or disallows a worker to serve the agent. Agent owner or operator only.
    function setWorkerApproval(uint256 agentId, address worker, bool approved) external {
        _requireAgentOperator(agentId);
        if (approved && _workers[worker].operator == address(0)) revert UnknownWorker(worker);
        _approvedWorkers[agentId][worker] = approved;
        emit WorkerApprovalSet(agentId, worker, approved);
    }

    /// @notice Pins (or unpins) a code measurement the agent accepts. Agent owner or operator only.
    function setMeasurementPinned(uint256 agentId, bytes32 measurement, bool pinned) external {
        _requireAgentOperator(agentId);
        if (measurement == 0) revert EmptyMeasurement();
        _pinnedMeasurements[agentId][measurement] = pinned;
        emit MeasurementPinSet(agentId, measurement, pinned);
    }

    // ------------------------------------------------------------------------------------ views

    /// @notice The worker's registration (operator is address(0) for an unknown key).
    function getWorker(address worker) external view returns (Worker memory) {
        return _workers[worker];
    }

    /// @notice The worker's current validation (validator is address(0) when there is none).
    function getValidation(address worker) external view returns (Validation memory) {
        return _validations[worker];
    }

    /// @notice Whether `account` is an approved attestation validator.
    function isValidator(address account) external view returns (bool) {
        return _validators[account];
    }

    /// @notice Whether the agent allows this worker.
    function isWorkerApproved(uint256 agentId, address worker) external view returns (bool) {
        return _approvedWorkers[agentId][worker];
    }

    /// @notice Whether the agent accepts this code measurement.
    function isMeasurementPinned(uint256 agentId, bytes32 measurement) external view returns (bool) {
        return _pinnedMeasurements[agentId][measurement];
    }

    /// @notice True when the worker is validated, unexpired, not retired, and both allowed by the agent
    /// and running a measurement the agent pinned: the broker's first filter.
    function isEligible(uint256 agentId, address worker) external view returns (bool) {
        Worker storage w = _workers[worker];
        Validation storage v = _validations[worker];
        return w.operator != address(0) && !w.retired && w.expiresAt > block.timestamp
            && v.validator != address(0) && _validators[v.validator] && v.expiresAt > block.timestamp
            && v.measurement == w.measurement && _approvedWorkers[agentId][worker]
            && _pinnedMeasurements[agentId][w.measurement];
    }

    // --------------------------------------------------------------------------------- internal

    function _checkAttestation(bytes32 measurement, string calldata evidenceURI, uint64 expiresAt) private view {
        if (measurement == 0) revert EmptyMeasurement();
        if (expiresAt <= block.timestamp) revert InvalidExpiry(expiresAt);
        _checkURI("evidenceURI", evidenceURI);
    }

    function _checkURI(string memory field, string calldata uri) private pure {
        uint256 length = bytes(uri).length;
        if (length == 0 || length > MAX_URI_LENGTH) revert InvalidURI(field, length, MAX_URI_LENGTH);
    }

    function _requireWorkerOperator(address worker) private view returns (Worker storage w) {
        w = _requireActiveWorker(worker);
        if (w.operator != msg.sender) revert NotWorkerOperator(worker, msg.sender);
    }

    function _requireActiveWorker(address worker) private view returns (Worker storage w) {
        w = _workers[worker];
        if (w.operator == address(0)) revert UnknownWorker(worker);
        if (w.retired) revert WorkerIsRetired(worker);
    }

    function _requireAgentOperator(uint256 agentId) private view {
        if (!agentRegistry.isAuthorizedOrOwner(msg.sender, agentId)) revert NotAgentOperator(agentId, msg.sender);
    }
}
