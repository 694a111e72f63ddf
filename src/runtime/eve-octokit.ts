/**
 * Probot's Octokit without its throttling plugin. Eve's GitHubWriteQueue
 * already spaces writes per installation and honours retry-after and the
 * secondary limits; the plugin would add a second, process-wide 1 s gap
 * between ALL writes, across installations. Probot's own defaults wrap this
 * class and pass their throttle options in, so the override is a function
 * (a plain defaults object would be overridden by Probot's). Failed requests
 * are retried here first, under the write queue's own retries
 * (src/reporting/github-write-queue.ts), as @octokit/plugin-retry would, but
 * by a hook of Eve's (retryRequests): the plugin builds a Bottleneck limiter
 * for every request, ~0.3 ms of CPU per stage run in the fan-out's profile.
 *
 * Requests go out on node:http with keep-alive (node-http-fetch.ts): a
 * check-run write costs two thirds of the CPU it took through Node's fetch.
 * A `request.fetch` given to a client (tests) still wins.
 *
 * With `metrics`, every request is counted by method and status, and the
 * rate limit GitHub reports is kept per installation.
 */
import { ProbotOctokit } from "probot";
import type { EveMetrics } from "../ops/eve-metrics.js";
import { createNodeHttpFetch } from "./node-http-fetch.js";

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;
/** The part of an Octokit a plugin uses here. */
interface HookedOctokit {
  hook: InstanceType<typeof ProbotOctokit>["hook"];
}

export interface EveOctokitOptions {
  /**
   * Base of the retries' waits: retry n of a failed request (5xx and
   * other errors; never 400/401/403/404/410/422/429/451) waits n² × this, 3
   * retries at most. 1000 ms in production, as @octokit/plugin-retry's; tests shorten it to stay fast
   * while going through the same retries.
   */
  retryAfterBaseMs?: number;
  metrics?: EveMetrics;
}

/** @octokit/plugin-retry's list plus 429: it would retry that after 1 s whatever its retry-after says; the write queue waits as long as GitHub asks. */
const DO_NOT_RETRY = new Set([400, 401, 403, 404, 410, 422, 429, 451]);
const RETRIES = 3;

export function createEveOctokit(options: EveOctokitOptions = {}): typeof ProbotOctokit {
  const counted = options.metrics === undefined ? ProbotOctokit : (ProbotOctokit.plugin(countRequests(options.metrics)) as typeof ProbotOctokit);
  const base = counted.plugin(retryRequests(options.retryAfterBaseMs ?? 1000)) as typeof ProbotOctokit;
  const fetch = createNodeHttpFetch();
  return base.defaults((instance: OctokitOptions) => ({
    ...instance,
    request: { fetch, ...(instance.request ?? {}) },
    throttle: { ...(instance.throttle ?? {}), enabled: false },
    // Probot's plugin off; Eve's hook does its work unless the client turned retries off (tests).
    retry: { ...(instance.retry ?? {}), enabled: false },
    eveRetry: instance.retry?.enabled !== false,
  })) as typeof ProbotOctokit;
}

/** The part of a failed request's error the retry reads: a RequestError has its request and an HTTP status (500 for a network error). */
interface FailedRequest {
  status?: number;
  request?: unknown;
}

/**
 * Retries as @octokit/plugin-retry does: a request that failed with an HTTP
 * status ≥ 400 not in DO_NOT_RETRY, or on the network, goes again up to 3
 * times, retry n after n² × `baseMs`; an aborted one does not (its caller
 * gave up on it).
 */
function retryRequests(baseMs: number) {
  return (octokit: HookedOctokit, options: OctokitOptions) => {
    if (options.eveRetry !== true) return;
    octokit.hook.wrap("request", async (request, requestOptions) => {
      for (let retry = 1; ; retry++) {
        try {
          return await request(requestOptions);
        } catch (error) {
          const { status, request: sent } = error as FailedRequest;
          if (retry > RETRIES || sent === undefined || status === undefined || status < 400 || DO_NOT_RETRY.has(status)) throw error;
          await new Promise((resolve) => setTimeout(resolve, retry ** 2 * baseMs));
        }
      }
    });
  };
}

interface Answer {
  status?: number;
  headers?: Record<string, unknown>;
  response?: { headers?: Record<string, unknown> };
}

function countRequests(metrics: EveMetrics) {
  return (octokit: HookedOctokit, options: OctokitOptions) => {
    const auth = options.auth as { installationId?: number } | undefined;
    const installation = auth?.installationId === undefined ? "app" : String(auth.installationId);
    const record = (method: string, answer: Answer | undefined) => {
      metrics.githubRequests.inc({ method, status: String(answer?.status ?? 0) });
      const remaining = Number((answer?.headers ?? answer?.response?.headers)?.["x-ratelimit-remaining"]);
      if (Number.isFinite(remaining)) metrics.githubRateLimitRemaining.set({ installation }, remaining);
    };
    octokit.hook.wrap("request", async (request, requestOptions) => {
      const method = String(requestOptions.method);
      try {
        const response = await request(requestOptions);
        record(method, response as Answer);
        return response;
      } catch (error) {
        record(method, error as Answer);
        throw error;
      }
    });
  };
}
