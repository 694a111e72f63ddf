/**
 * Probot's Octokit without its throttling plugin. Eve's GitHubWriteQueue
 * already spaces writes per installation and honours retry-after and the
 * secondary limits; the plugin would add a second, process-wide 1 s gap
 * between ALL writes, across installations. Probot's own defaults wrap this
 * class and pass their throttle options in, so the override is a function
 * (a plain defaults object would be overridden by Probot's). The retry plugin
 * stays on: a failed request is retried here first, under the write queue's
 * own retries (src/reporting/github-write-queue.ts).
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
   * Base of the retry plugin's waits: retry n of a failed request (5xx and
   * other errors; never 400/401/403/404/410/422/429/451) waits n² × this, 3
   * retries at most. The plugin's 1000 ms in production; tests shorten it to stay fast
   * while going through the same retries.
   */
  retryAfterBaseMs?: number;
  metrics?: EveMetrics;
}

export function createEveOctokit(options: EveOctokitOptions = {}): typeof ProbotOctokit {
  const base = options.metrics === undefined ? ProbotOctokit : (ProbotOctokit.plugin(countRequests(options.metrics)) as typeof ProbotOctokit);
  const fetch = createNodeHttpFetch();
  return base.defaults((instance: OctokitOptions) => ({
    ...instance,
    request: { fetch, ...(instance.request ?? {}) },
    throttle: { ...(instance.throttle ?? {}), enabled: false },
    retry: {
      ...(instance.retry ?? {}),
      // The plugin's list plus 429: the plugin would retry it after 1 s whatever its
      // retry-after says; the write queue waits as long as GitHub asks.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      ...(options.retryAfterBaseMs === undefined ? {} : { retryAfterBaseValue: options.retryAfterBaseMs }),
    },
  })) as typeof ProbotOctokit;
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
