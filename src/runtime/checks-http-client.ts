/**
 * The check-run writes (a create and one or two updates per stage run: most
 * of a fan-out's GitHub traffic) straight on node:http(s) with keep-alive.
 * Through Octokit each write cost more CPU around the exchange than the
 * exchange itself (endpoint defaults merged and the URL template parsed per
 * request, auth and plugin hooks, a WHATWG Response built for every answer):
 * in the stage process of a 300-stage fan-out, ~19% of its main thread.
 * The installation's token comes from the process's installation tokens
 * (installation-tokens.ts, minted at the configured API root and reused);
 * commit statuses, rare, still go through the installation's Octokit.
 *
 * A failed write rejects with a GitHubRequestError carrying the status and
 * the answer's headers, as Octokit's RequestError does: the write queue reads
 * them to retry 5xx and network errors and to honour rate limits.
 */
import type { EveMetrics } from "../ops/eve-metrics.js";
import type { CheckRunCreateParams, CheckRunUpdateParams, ChecksClient, ClientResponse } from "../reporting/checks-client.js";
import { sendKeptAlive } from "./node-http-fetch.js";

export interface ChecksHttpClientOptions {
  /** GitHub's API root: https://api.github.com, or GitHub Enterprise's https://host/api/v3. */
  apiUrl: string;
  /** The installation's token (InstallationTokens.get). */
  getToken(): Promise<string>;
  /** The installation's Octokit, for the calls that are not check-run writes. */
  octokit: ChecksClient;
  installationId: number;
  metrics?: EveMetrics;
  /** Wait before the one retry of a write answered 401 (default 1000 ms; see sendWrite). */
  unauthorizedRetryMs?: number;
}

/** A write GitHub refused or that did not reach it (status 500 then, as Octokit says of network errors). */
export class GitHubRequestError extends Error {
  override readonly name = "GitHubRequestError";
  readonly status: number;
  readonly response: { status: number; headers: Record<string, string | undefined>; data: unknown } | undefined;

  constructor(message: string, status: number, response?: GitHubRequestError["response"], options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.response = response;
  }
}

export function createChecksHttpClient(options: ChecksHttpClientOptions): ChecksClient {
  const root = options.apiUrl.replace(/\/+$/, "");
  const repoPath = (owner: string, repo: string) => `${root}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  return {
    rest: {
      checks: {
        create({ owner, repo, request, ...body }: CheckRunCreateParams) {
          return sendWrite(options, "POST", `${repoPath(owner, repo)}/check-runs`, body, request?.signal) as Promise<ClientResponse<{ id: number }>>;
        },
        update({ owner, repo, check_run_id, request, ...body }: CheckRunUpdateParams) {
          return sendWrite(options, "PATCH", `${repoPath(owner, repo)}/check-runs/${check_run_id}`, body, request?.signal);
        },
      },
      repos: options.octokit.rest.repos,
    },
  };
}

/**
 * One write. A 401 is tried once more after a pause: an installation token
 * just minted can be refused for a moment (auth-app's own hook waits so).
 */
async function sendWrite(options: ChecksHttpClientOptions, method: string, url: string, body: object, signal: AbortSignal | undefined, retried = false): Promise<ClientResponse<unknown>> {
  const token = await options.getToken();
  const text = JSON.stringify(body);
  const headers = {
    accept: "application/vnd.github+json",
    authorization: `token ${token}`,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "user-agent": "eve-ci",
  };
  let answer: { status: number; headers: Record<string, string | undefined>; text: string };
  try {
    answer = await exchange(new URL(url), method, headers, text, signal);
  } catch (error) {
    options.metrics?.githubRequests.inc({ method, status: "0" });
    if ((error as Error).name === "AbortError") throw error;
    throw new GitHubRequestError(`${method} ${url}: ${(error as Error).message}`, 500, undefined, { cause: error });
  }
  options.metrics?.githubRequests.inc({ method, status: String(answer.status) });
  const remaining = Number(answer.headers["x-ratelimit-remaining"]);
  if (Number.isFinite(remaining)) options.metrics?.githubRateLimitRemaining.set({ installation: String(options.installationId) }, remaining);
  const data = parseJson(answer.text);
  if (answer.status >= 200 && answer.status < 300) return { data, headers: answer.headers };
  if (answer.status === 401 && !retried) {
    await new Promise((resolve) => setTimeout(resolve, options.unauthorizedRetryMs ?? 1000));
    return sendWrite(options, method, url, body, signal, true);
  }
  const message = typeof (data as { message?: unknown })?.message === "string" ? (data as { message: string }).message : `HTTP ${answer.status}`;
  throw new GitHubRequestError(message, answer.status, { status: answer.status, headers: answer.headers, data });
}

/** The request, on the keep-alive agents Octokit's requests use too (node-http-fetch.ts), and its whole answer. */
async function exchange(url: URL, method: string, headers: Record<string, string>, body: string, signal: AbortSignal | undefined): Promise<{ status: number; headers: Record<string, string | undefined>; text: string }> {
  const response = await sendKeptAlive(url, method, headers, body, signal);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("error", reject);
    response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers as Record<string, string | undefined>, text: Buffer.concat(chunks).toString("utf8") }));
  });
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
