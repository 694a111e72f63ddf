// A local HTTP stand-in of GitHub's REST API (GHE layout: /api/v3), enough for Eve:
// installation tokens, raw contents, check runs and commit statuses. Records writes.
import { createServer } from "node:http";

/** `fileAt(path, ref)`: the file's text, or undefined for 404. */
export async function startGitHubStandIn(fileAt) {
  let nextId = 1;
  const listeners = new Set();
  const writes = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      const path = url.pathname.replace(/^\/api\/v3/, "");
      const json = (status, data) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(data));
      };
      let match;
      if (req.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
        return json(201, { token: "ghs_standin", expires_at: new Date(Date.now() + 3600_000).toISOString() });
      }
      if (req.method === "GET" && (match = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(path))) {
        const text = fileAt(decodeURIComponent(match[1]), url.searchParams.get("ref"));
        if (text === undefined) return json(404, { message: "Not Found" });
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        return res.end(text);
      }
      const parsed = body ? JSON.parse(body) : {};
      const record = (kind, id) => {
        // `wall` compares with the dates Eve sends (started_at).
        const write = { kind, id, at: performance.now(), wall: Date.now(), body: parsed };
        writes.push(write);
        for (const listener of listeners) listener(write);
      };
      if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
        const id = nextId++;
        record("create", id);
        return json(201, { id });
      }
      if (req.method === "PATCH" && (match = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path))) {
        record("update", Number(match[1]));
        return json(200, { id: Number(match[1]) });
      }
      if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/statuses\/[0-9a-f]+$/.test(path)) {
        record("status", undefined);
        return json(201, {});
      }
      json(404, { message: `stand-in: no ${req.method} ${path}` });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${server.address().port}`,
    writes,
    onWrite(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
