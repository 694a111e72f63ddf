/**
 * GitHub's REST API over real HTTP (GHE layout, /api/v3) for Eve processes the
 * test spawns, which nock cannot reach: installation tokens, the build file,
 * check runs and commit statuses. Every body Eve sends is checked against
 * GitHub's OpenAPI schema (schemaErrors). Faults are injected per request:
 * `fail(n, reply)` answers the next n writes with `reply` (a status, headers,
 * or `hang` to never answer).
 *
 *   const github = await startGitHubStandIn({ buildFile, token: "ghs_unique" });
 *   env.GHE_HOST = github.host; env.GHE_PROTOCOL = "http";
 *   github.checkRuns()  // [{ id, name, statuses, conclusion, title }]
 *   await github.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { validateGitHubBody } from "./github-mock.js";

export interface StandInFault {
  status?: number;
  headers?: Record<string, string>;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export interface StandInCheckRun {
  id: number;
  name: string;
  statuses: string[];
  conclusion: string | undefined;
  title: string | undefined;
}

export interface GitHubStandIn {
  /** host:port for GHE_HOST. */
  readonly host: string;
  /** Every request: method, path and body. */
  readonly requests: { method: string; path: string; body: unknown; status: number }[];
  readonly schemaErrors: string[];
  /** The next `count` writes (POST/PATCH of check runs and statuses) get `fault`. */
  fail(count: number, fault: StandInFault): void;
  checkRuns(): StandInCheckRun[];
  close(): Promise<void>;
}

export interface StandInOptions {
  buildFile: string;
  /** Where the build file is in the repository (default eve/main.yml); every other file is absent. */
  buildFilePath?: string;
  /** The installation token handed out (make it unique to grep for it). */
  token?: string;
}

export async function startGitHubStandIn(options: StandInOptions): Promise<GitHubStandIn> {
  const requests: GitHubStandIn["requests"] = [];
  const schemaErrors: string[] = [];
  const faults: StandInFault[] = [];
  const hanging = new Set<ServerResponse>();
  const runs = new Map<number, StandInCheckRun>();
  let nextId = 1;

  const handle = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/api\/v3/, "");
    const body: unknown = text ? JSON.parse(text) : undefined;
    const answer = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: req.method ?? "", path, body, status });
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(typeof data === "string" ? data : JSON.stringify(data));
    };
    const write = req.method === "POST" || req.method === "PATCH";
    const isReport = write && /^\/repos\/[^/]+\/[^/]+\/(check-runs|statuses)/.test(path);
    const fault = isReport ? faults.shift() : undefined;
    if (fault?.hang) {
      requests.push({ method: req.method ?? "", path, body, status: 0 });
      hanging.add(res);
      return;
    }
    if (fault) return answer(fault.status ?? 502, { message: fault.status === 403 ? "You have exceeded a secondary rate limit" : "stand-in fault" }, fault.headers);
    let match: RegExpExecArray | null;
    if (req.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return answer(201, { token: options.token ?? "ghs_standin", expires_at: new Date(Date.now() + 3600_000).toISOString() });
    }
    if (req.method === "GET" && (match = /^\/repos\/[^/]+\/[^/]+\/contents\/([^?]+)/.exec(path))) {
      if (decodeURIComponent(match[1] ?? "") !== (options.buildFilePath ?? "eve/main.yml")) return answer(404, { message: "Not Found" });
      requests.push({ method: "GET", path, body, status: 200 });
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      return res.end(options.buildFile);
    }
    if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
      check("checks/create", body);
      const run: StandInCheckRun = { id: nextId++, name: (body as { name: string }).name, statuses: [], conclusion: undefined, title: undefined };
      runs.set(run.id, run);
      note(run, body);
      return answer(201, { id: run.id }, { "x-ratelimit-remaining": "4999" });
    }
    if (req.method === "PATCH" && (match = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path))) {
      check("checks/update", body);
      const run = runs.get(Number(match[1]));
      if (!run) return answer(404, { message: "Not Found" });
      note(run, body);
      return answer(200, { id: run.id }, { "x-ratelimit-remaining": "4998" });
    }
    if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/statuses\/[0-9a-f]+$/.test(path)) {
      check("repos/create-commit-status", body);
      return answer(201, {});
    }
    answer(404, { message: `stand-in: no ${req.method} ${path}` });
  };
  const check = (operation: string, body: unknown) => {
    const error = validateGitHubBody(operation, body);
    if (error !== undefined) schemaErrors.push(`${operation}: ${error}`);
  };
  const note = (run: StandInCheckRun, body: unknown) => {
    const fields = body as { status?: string; conclusion?: string; output?: { title?: string } };
    const status = fields.status ?? (fields.conclusion ? "completed" : undefined);
    if (status && run.statuses.at(-1) !== status) run.statuses.push(status);
    if (fields.conclusion) run.conclusion = fields.conclusion;
    if (fields.output?.title) run.title = fields.output.title;
  };

  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => handle(req, res, text));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    schemaErrors,
    fail(count, fault) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    checkRuns: () => [...runs.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
