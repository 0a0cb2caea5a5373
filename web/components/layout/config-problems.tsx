import { CONFIG_VARIABLES } from "@/lib/config";

/** Shown instead of a page when the server's configuration is missing or wrong. */
export function ConfigProblems({ problems }: { problems: string[] }) {
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">The dApp is not configured correctly</p>
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
      <p>
        Set these environment variables for the server and restart it (<code>npm start</code> sets them for the local
        stack):
      </p>
      <ul>
        {Object.entries(CONFIG_VARIABLES).map(([name, purpose]) => (
          <li key={name}>
            <code>{name}</code>: {purpose}
          </li>
        ))}
      </ul>
    </div>
  );
}
