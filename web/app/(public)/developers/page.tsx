import type { Metadata } from "next";
import { ConfigProblems } from "@/components/layout/config-problems";
import { PageHeader } from "@/components/layout/page-header";
import { CopyButton } from "@/components/copy-button";
import { CONTRACT_NAMES, CONTRACT_ROLES, abiFileName } from "@/lib/abis";
import type { PublicConfig } from "@/lib/config";
import { requestConfig } from "@/lib/request-config";

export const metadata: Metadata = { title: "Developers" };

export default async function DevelopersPage() {
  const result = await requestConfig();
  return (
    <>
      <PageHeader title="Developers">
        <p>
          The network this dApp talks to, the deployed contracts with their ABIs, and the subgraph endpoint. Everything here
          comes from the deployment record in <code>@agentry/protocol</code>.
        </p>
      </PageHeader>
      {result.ok ? <DeploymentDetails config={result.config} /> : <ConfigProblems problems={result.problems} />}
    </>
  );
}

function DeploymentDetails({ config }: { config: PublicConfig }) {
  return (
    <div className="stack">
      <section className="card" aria-labelledby="network-heading">
        <h2 id="network-heading">Network</h2>
        <dl className="definition-list">
          <dt>Network</dt>
          <dd data-testid="network-name">{config.networkName}</dd>
          <dt>Chain id</dt>
          <dd data-testid="chain-id">{config.chainId}</dd>
          <dt>JSON-RPC</dt>
          <dd className="address">{config.rpcUrl}</dd>
          <dt>Subgraph (GraphQL)</dt>
          <dd>
            {config.subgraphUrl ? (
              <span className="actions">
                <span className="address" data-testid="subgraph-url">
                  {config.subgraphUrl}
                </span>
                <CopyButton text={config.subgraphUrl} label="Copy the subgraph URL" />
              </span>
            ) : (
              <span className="muted">Not configured (set AGENTRY_SUBGRAPH_URL).</span>
            )}
          </dd>
        </dl>
        <p>
          <a href="/developers/deployment.json" download="agentry-deployment.json">
            Download the whole deployment as JSON
          </a>{" "}
          <span className="muted">(chain, subgraph URL, addresses, start blocks and ABIs)</span>
        </p>
      </section>

      <section className="card" aria-labelledby="contracts-heading">
        <h2 id="contracts-heading">Contracts</h2>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Deployed Agentry contracts on chain {config.chainId}</caption>
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Address</th>
                <th scope="col">Start block</th>
                <th scope="col">ABI</th>
              </tr>
            </thead>
            <tbody>
              {CONTRACT_NAMES.map((name) => {
                const contract = config.contracts[name];
                const abiUrl = `/developers/abi/${abiFileName(name)}`;
                return (
                  <tr key={name} data-testid={`contract-${name}`}>
                    <th scope="row">
                      {name}
                      <div className="muted" style={{ fontWeight: 400 }}>
                        {CONTRACT_ROLES[name]}
                      </div>
                    </th>
                    <td>
                      <span className="address" data-testid="contract-address">
                        {contract.address}
                      </span>
                      <CopyButton text={contract.address} label={`Copy the ${name} address`} />
                    </td>
                    <td>{contract.startBlock}</td>
                    <td>
                      <span className="actions">
                        <a className="button button--secondary button--small" href={abiUrl} download={abiFileName(name)}>
                          Download<span className="visually-hidden"> the {name} ABI</span>
                        </a>
                        <CopyButton url={abiUrl} label={`Copy the ${name} ABI`} />
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="usage-heading">
        <h2 id="usage-heading">From code</h2>
        <p>TypeScript projects in this repository read the same record:</p>
        <pre className="code-block">
          <code>{`import { getDeployment } from "@agentry/protocol";

const { address, abi, startBlock } = getDeployment(${config.chainId}).contracts.AgreementEscrow;`}</code>
        </pre>
        {config.subgraphUrl ? (
          <>
            <p>The subgraph answers GraphQL over HTTP:</p>
            <pre className="code-block">
              <code>{`curl -s ${config.subgraphUrl} \\
  -H 'content-type: application/json' \\
  -d '{"query":"{ _meta { block { number } } }"}'`}</code>
            </pre>
          </>
        ) : null}
      </section>
    </div>
  );
}
