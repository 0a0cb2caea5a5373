/**
 * The GraphQL endpoint at /subgraphs/name/<name>, as graph-node serves it: POST with a JSON body
 * ({ query, variables, operationName }) or GET with the same as query parameters. CORS is open
 * because the dApp queries it from the browser. A malformed request gets 400 with a reason;
 * GraphQL errors (unknown fields, bad arguments) come back as `errors` like any GraphQL server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import { z } from "zod";
import type { QueryContext } from "./graphql-api.ts";

const MAX_BODY = 1 << 20;
const requestSchema = z.object({
  query: z.string().min(1, "query is empty"),
  variables: z.record(z.string(), z.unknown()).nullable().optional(),
  operationName: z.string().nullable().optional(),
});

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type, authorization",
  "access-control-max-age": "86400",
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...CORS, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface GraphqlServerOptions {
  schema: GraphQLSchema;
  name: string;
  context: () => QueryContext;
  host?: string;
  port: number;
}

export class GraphqlServer {
  private readonly server: Server;
  private readonly documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  readonly path: string;

  constructor(private readonly options: GraphqlServerOptions) {
    this.path = `/subgraphs/name/${options.name}`;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { errors: [{ message: `internal error: ${String(error)}` }] }));
    });
  }

  async listen(): Promise<string> {
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, host, () => resolve());
    });
    const address = this.server.address();
    const port = typeof address === "object" && address ? address.port : this.options.port;
    return `http://${host}:${port}${this.path}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    if (url.pathname !== this.path && url.pathname !== `${this.path}/`) {
      send(res, 404, { errors: [{ message: `no subgraph at ${url.pathname}; this runner serves ${this.path}` }] });
      return;
    }
    let raw: unknown;
    if (req.method === "GET") {
      const variables = url.searchParams.get("variables");
      try {
        raw = { query: url.searchParams.get("query") ?? "", variables: variables ? JSON.parse(variables) : undefined, operationName: url.searchParams.get("operationName") ?? undefined };
      } catch {
        send(res, 400, { errors: [{ message: "the variables parameter is not valid JSON" }] });
        return;
      }
    } else if (req.method === "POST") {
      try {
        raw = JSON.parse(await readBody(req));
      } catch (error) {
        send(res, 400, { errors: [{ message: `the request body must be JSON with a query: ${error instanceof Error ? error.message : String(error)}` }] });
        return;
      }
    } else {
      send(res, 405, { errors: [{ message: `${req.method} is not supported; use POST or GET` }] });
      return;
    }
    const request = requestSchema.safeParse(raw);
    if (!request.success) {
      send(res, 400, { errors: [{ message: `bad GraphQL request: ${request.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}` }] });
      return;
    }
    const document = this.document(request.data.query);
    if (!("kind" in document)) {
      send(res, 200, { errors: document.map((e) => e.toJSON()) });
      return;
    }
    const result = await execute({
      schema: this.options.schema,
      document,
      variableValues: request.data.variables ?? undefined,
      operationName: request.data.operationName ?? undefined,
      contextValue: this.options.context(),
    });
    send(res, 200, result);
  }

  /** Parsed and validated documents, cached: the dApp sends the same few queries over and over. */
  private document(query: string): DocumentNode | readonly GraphQLError[] {
    let cached = this.documents.get(query);
    if (cached) return cached;
    try {
      const document = parse(query);
      const errors = validate(this.options.schema, document);
      cached = errors.length > 0 ? errors : document;
    } catch (error) {
      cached = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
    }
    if (this.documents.size > 500) this.documents.clear();
    this.documents.set(query, cached);
    return cached;
  }
}
