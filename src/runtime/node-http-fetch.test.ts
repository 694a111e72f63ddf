import { Octokit } from "@octokit/rest";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeHttpFetch } from "./node-http-fetch.js";

interface Seen {
  method: string;
  url: string;
  body: string;
  socket: number;
}

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A local HTTP server answering with `handle`; records every request and the connection it came on. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const sockets = new WeakMap<object, number>();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      if (!sockets.has(req.socket)) sockets.set(req.socket, seen.length);
      const request = { method: req.method ?? "", url: req.url ?? "", body, socket: sockets.get(req.socket) as number };
      seen.push(request);
      handle(req, res, request);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function octokit(base: string) {
  return new Octokit({ auth: "ghs_test", baseUrl: base, request: { fetch: createNodeHttpFetch() } });
}

describe("createNodeHttpFetch", () => {
  it("carries an Octokit write and its answer: status, body, every header, on one kept-alive connection", async () => {
    const { base, seen } = await serve((_req, res) => {
      res.writeHead(201, [
        ["content-type", "application/json; charset=utf-8"],
        ["x-ratelimit-remaining", "4999"],
        ["link", "<a>; rel=next"],
        ["link", "<b>; rel=last"],
      ]);
      res.end(JSON.stringify({ id: 7 }));
    });
    const client = octokit(base);

    const first = await client.rest.checks.create({ owner: "o", repo: "r", name: "lint", head_sha: "a".repeat(40), status: "in_progress" });
    await client.rest.checks.create({ owner: "o", repo: "r", name: "test", head_sha: "a".repeat(40) });

    expect(first.status).toBe(201);
    expect(first.data).toEqual({ id: 7 });
    expect(first.headers).toMatchObject({ "x-ratelimit-remaining": "4999", link: "<a>; rel=next, <b>; rel=last" });
    expect(first.url).toBe(`${base}/repos/o/r/check-runs`);
    expect(seen.map(({ method, url, socket }) => ({ method, url, socket }))).toEqual([
      { method: "POST", url: "/repos/o/r/check-runs", socket: 0 },
      { method: "POST", url: "/repos/o/r/check-runs", socket: 0 },
    ]);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ name: "lint", head_sha: "a".repeat(40), status: "in_progress" });
  });

  it("answers 204 with no body, and an error status as Octokit's RequestError with the response's headers", async () => {
    const { base } = await serve((req, res) => {
      if (req.method === "DELETE") res.writeHead(204).end();
      else res.writeHead(403, { "content-type": "application/json", "retry-after": "30" }).end(JSON.stringify({ message: "You have exceeded a secondary rate limit" }));
    });
    const client = octokit(base);

    const deleted = await client.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner: "o", repo: "r", ref: "heads/x" });
    const refused = await client.rest.checks.update({ owner: "o", repo: "r", check_run_id: 1, status: "completed", conclusion: "success" }).catch((error: unknown) => error);

    expect(deleted.status).toBe(204);
    expect(refused).toMatchObject({ name: "HttpError", status: 403, message: expect.stringContaining("secondary rate limit"), response: { headers: { "retry-after": "30" } } });
  });

  it("hands a redirect to the global fetch, which follows it", async () => {
    const { base, seen } = await serve((req, res) => {
      if (req.url?.startsWith("/repos/old/")) res.writeHead(307, { location: req.url.replace("/repos/old/", "/repos/new/") }).end();
      else res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: 9 }));
    });

    const created = await octokit(base).rest.checks.create({ owner: "old", repo: "r", name: "lint", head_sha: "a".repeat(40) });

    expect(created.data).toEqual({ id: 9 });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["POST /repos/old/r/check-runs", "POST /repos/old/r/check-runs", "POST /repos/new/r/check-runs"]);
  });

  it("sends a request again on a fresh connection when the kept-alive one is reset as it is reused", async () => {
    const { base, seen } = await serve((req, res, request) => {
      // The server drops the idle connection just as the client picks it for a second request.
      if (seen.filter((s) => s.socket === request.socket).length === 2) req.socket.resetAndDestroy();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const client = octokit(base);

    await client.rest.checks.update({ owner: "o", repo: "r", check_run_id: 1, status: "in_progress" });
    const second = await client.rest.checks.update({ owner: "o", repo: "r", check_run_id: 1, status: "completed", conclusion: "success" });

    expect(second.status).toBe(200);
    expect(seen.map((s) => s.socket)).toEqual([0, 0, 2]);
  });

  it("rejects as fetch does: an abort as an AbortError, a refused connection as a TypeError with its cause", async () => {
    const { base } = await serve(() => {
      // Never answers: the caller's signal ends the request.
    });
    const fetch = createNodeHttpFetch();
    const controller = new AbortController();

    const aborted = fetch(`${base}/slow`, { method: "GET", signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    const refused = await fetch("http://127.0.0.1:1/", { method: "GET" }).catch((error: unknown) => error);

    expect(await aborted).toMatchObject({ name: "AbortError" });
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused).toMatchObject({ message: "fetch failed", cause: { code: "ECONNREFUSED" } });
  });
});
