/**
 * `/healthz` (liveness: the process answers), `/readyz` (readiness: Redis and,
 * where enabled, the Docker Engine answer) and `/metrics` (Prometheus), as a
 * handler for Probot's server (`server.addHandler`) or Eve's own small server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EveMetrics } from "./eve-metrics.js";

/** One dependency readiness needs; rejects (or times out) when it is not reachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface OpsHandlerOptions {
  metrics: EveMetrics;
  checks: readonly ReadinessCheck[];
  /** Reads values that are only known on demand (queue depths) before a scrape. */
  beforeScrape?: () => Promise<void>;
  /** Longest a readiness check may take (default 2 s). */
  checkTimeoutMs?: number;
}

export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createOpsHandler(options: OpsHandlerOptions): OpsHandler {
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === "/healthz") {
      send(res, 200, "text/plain; charset=utf-8", "ok\n");
      return true;
    }
    if (path === "/readyz") {
      const results = await Promise.all(options.checks.map(async ({ name, check }) => ({ name, error: await failureOf(check, timeoutMs) })));
      const failed = results.filter((result) => result.error !== undefined);
      const body = Object.fromEntries(results.map(({ name, error }) => [name, error ?? "ok"]));
      send(res, failed.length === 0 ? 200 : 503, "application/json", `${JSON.stringify(body)}\n`);
      return true;
    }
    if (path === "/metrics") {
      // A scrape still answers when Redis does not: queue depths then keep their last values.
      await options.beforeScrape?.().catch(() => undefined);
      const registry = await options.metrics.gather();
      send(res, 200, registry.contentType, await registry.metrics());
      return true;
    }
    return false;
  };
}

async function failureOf(check: () => Promise<void>, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}
