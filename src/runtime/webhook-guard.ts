/**
 * The webhook route's first check, before Probot sees a request. GitHub signs
 * every delivery and never sends more than 25 MB, so a bigger body is refused
 * as it arrives (413), a missing or wrong signature (400), and a body that is
 * not a JSON object (400), each with one warning line. Without it, Probot read
 * any body whole before checking it, and logged each bad signature twice at
 * error level with a stack trace: anyone who could reach Eve filled its log.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Probot } from "probot";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export interface WebhookGuardOptions {
  /** The webhook route (WEBHOOK_PATH). */
  path: string;
  /** WEBHOOK_SECRET. */
  secret: string;
  log: { warn(message: string): void };
  /** Default MAX_WEBHOOK_BYTES. */
  maxBytes?: number;
}

// Probot types `next` as Function; the webhook middleware only calls it.
type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: Function) => Promise<boolean>;

/** Probot whose webhook middleware (the one Probot's Server mounts first) is guarded. */
export function withWebhookGuard(Base: typeof Probot, options: WebhookGuardOptions): typeof Probot {
  return class GuardedProbot extends Base {
    override async getNodeMiddleware(middlewareOptions?: Parameters<Probot["getNodeMiddleware"]>[0]): ReturnType<Probot["getNodeMiddleware"]> {
      return guardWebhooks((await super.getNodeMiddleware(middlewareOptions)) as NodeMiddleware, options);
    }
  };
}

export function guardWebhooks(inner: NodeMiddleware, options: WebhookGuardOptions): NodeMiddleware {
  const maxBytes = options.maxBytes ?? MAX_WEBHOOK_BYTES;
  const route = trimSlashes(options.path);
  return async (req, res, next) => {
    if (req.method !== "POST" || trimSlashes(pathOf(req.url)) !== route) return inner(req, res, next);
    const refuse = (status: number, reason: string): true => {
      const delivery = String(req.headers["x-github-delivery"] ?? "none");
      options.log.warn(`Webhook refused (${status}, delivery ${delivery.slice(0, 100)}): ${reason}`);
      res.writeHead(status, { "content-type": "application/json", connection: "close" }).end(`${JSON.stringify({ error: reason })}\n`);
      return true;
    };
    const body = await readBody(req, maxBytes);
    if (body === undefined) return refuse(413, `the body is larger than ${maxBytes} bytes`);
    const signature = req.headers["x-hub-signature-256"];
    if (typeof signature !== "string" || !signedBy(options.secret, body, signature)) {
      return refuse(400, `${signature === undefined ? "no" : "a wrong"} X-Hub-Signature-256 (is WEBHOOK_SECRET the app's webhook secret?)`);
    }
    const text = jsonObjectText(body);
    if (text === undefined) return refuse(400, "the body is not a JSON object in UTF-8");
    // @octokit/webhooks takes a string body as the payload instead of reading the (consumed) stream.
    Object.assign(req, { body: text });
    return inner(req, res, next);
  };
}

/** The body, or undefined as soon as it (or its declared length) exceeds `maxBytes`. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      req.pause();
      resolve(undefined);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function signedBy(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function jsonObjectText(body: Buffer): string | undefined {
  try {
    const text = utf8.decode(body);
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? text : undefined;
  } catch {
    return undefined;
  }
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname;
  } catch {
    return "";
  }
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "");
}
