/**
 * A `fetch` for Octokit on node:http(s) with keep-alive agents. Node 20's
 * fetch (undici) cost ~1.7 ms of CPU per GitHub write here, this ~1.1 ms
 * (a check-run create against a local stand-in, whole client side), and
 * every check-run write of a fan-out goes through it.
 *
 * It takes what Octokit sends: a URL string, a method, string headers, a
 * string body or none, an AbortSignal. Anything else, and any redirect
 * answer, goes to the global fetch (which follows redirects as Octokit
 * expects); a non-idempotent request is re-sent only after a redirect,
 * which GitHub answers before doing anything.
 */
// The modules, not their named exports: request() is looked up at each call, so that an interceptor (nock, in tests) sees it.
import http, { type IncomingMessage } from "node:http";
import https from "node:https";

/**
 * Idle sockets go after 4 s, as undici's do: servers close idle connections
 * (Node's after 5 s), and a request on a socket being closed fails.
 */
const IDLE_MS = 4000;
/** One pool per protocol for all of Eve's requests to GitHub: Octokit's and the check-run writes (checks-http-client.ts). */
const agents = { "http:": new http.Agent({ keepAlive: true, timeout: IDLE_MS }), "https:": new https.Agent({ keepAlive: true, timeout: IDLE_MS }) };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses whose Response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

export function createNodeHttpFetch(fallback: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init = {}) => {
    const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : undefined;
    const body = init.body ?? undefined;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || (body !== undefined && typeof body !== "string") || !isPlainHeaders(init.headers)) return fallback(input, init);
    const response = await sendKeptAlive(url, init.method ?? "GET", init.headers ?? {}, body, init.signal ?? undefined).catch((error: unknown) => {
      throw asFetchError(error as Error);
    });
    if (REDIRECTS.has(response.statusCode ?? 0) && init.redirect !== "manual") {
      response.resume();
      return fallback(input, init);
    }
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of response) chunks.push(chunk as Buffer);
    } catch (error) {
      throw asFetchError(error as Error);
    }
    const headers = new Headers();
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) headers.append(response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string);
    const status = response.statusCode ?? 0;
    const answer = new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? "", headers });
    // A Response made here has an empty url; Octokit copies it into its response.
    Object.defineProperty(answer, "url", { value: url.href });
    return answer;
  };
}

function isPlainHeaders(headers: RequestInit["headers"]): headers is Record<string, string> | undefined {
  return headers === undefined || (typeof headers === "object" && !Array.isArray(headers) && !(headers instanceof Headers));
}

/**
 * One request on the kept-alive agents (an http: or https: URL), resolved
 * with the response once its head arrives; a request that meets a reset on a
 * reused idle socket (the server closed it as it was picked) is sent once
 * more on a fresh one, as Node's documentation advises: nothing of it
 * reached the server. Rejects with the request's own error.
 */
export function sendKeptAlive(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined, retried = false): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
    const request = (url.protocol === "https:" ? https : http).request(url, { method, headers, agent, ...(signal ? { signal } : {}) }, resolve);
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (!retried && request.reusedSocket && error.code === "ECONNRESET") resolve(sendKeptAlive(url, method, headers, body, signal, true));
      else reject(error);
    });
    request.end(body);
  });
}

/** As fetch rejects: an abort as itself, anything else as a TypeError with the cause (Octokit reads both). */
function asFetchError(error: Error): Error {
  return error.name === "AbortError" ? error : new TypeError("fetch failed", { cause: error });
}
