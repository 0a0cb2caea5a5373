import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The Agentry core: the ERC-8004 identity and reputation registries, the worker registry and the
 * escrow, wired together. No proxies: every contract is immutable once deployed.
 *
 * Parameters (ignition/parameters/<network>.json):
 * - `owner`: owner of the WorkerRegistry, who approves attestation validators (default: deployer).
 * - `allowDevWorkers`: accept DEV workers with no TEE behind them; true only on local chains.
 */
export default buildModule("Agentry", (m) => {
  const owner = m.getParameter("owner", m.getAccount(0));
  const allowDevWorkers = m.getParameter("allowDevWorkers", false);

  const agentRegistry = m.contract("AgentRegistry");
  const workerRegistry = m.contract("WorkerRegistry", [owner, agentRegistry, allowDevWorkers]);
  const agreementEscrow = m.contract("AgreementEscrow", [agentRegistry]);
  const reputationRegistry = m.contract("ReputationRegistry", [agentRegistry, agreementEscrow]);

  return { agentRegistry, workerRegistry, agreementEscrow, reputationRegistry };
});
