/**
 * The small HTTP server of `eve worker` (which has no webhook server): the
 * health endpoints and metrics on EVE_WORKER_METRICS_PORT.
 */
import { createServer, type Server } from "node:http";
import type { OpsHandler } from "./ops-handler.js";

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startOpsServer(handler: OpsHandler, port: number, host: string): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    handler(req, res).then(
      (handled) => {
        if (handled) return;
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
        res.end("Not found: /healthz, /readyz, /metrics\n");
      },
      () => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
