/**
 * Eve's fetch for Octokit (src/runtime/node-http-fetch.ts) over HTTPS, as it
 * talks to GitHub: a real TLS server with a certificate the child process
 * trusts through NODE_EXTRA_CA_CERTS (as an operator's GitHub Enterprise CA),
 * a GET and a POST answered, on one kept-alive connection.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const TLS = join(ROOT, "test/fixtures/tls");
let server: Server;
let base: string;
const connections: string[] = [];

beforeAll(async () => {
  server = createServer({ key: readFileSync(join(TLS, "localhost-key.pem")), cert: readFileSync(join(TLS, "localhost-cert.pem")) }, (req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  server.on("secureConnection", (socket) => connections.push(socket.remoteAddress ?? ""));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("node:http fetch over HTTPS", () => {
  it("answers a GET and a POST through TLS, on one kept-alive connection", async () => {
    const script = `
      const { createNodeHttpFetch } = await import("./src/runtime/node-http-fetch.ts");
      const fetch = createNodeHttpFetch();
      const got = await fetch(process.argv[1] + "/repos/o/r/check-runs/1", { method: "GET", headers: { accept: "application/json" } });
      const posted = await fetch(process.argv[1] + "/repos/o/r/check-runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "pre-merge" }) });
      process.stdout.write(JSON.stringify([[got.status, await got.json()], [posted.status, await posted.json()]]));
      process.exit(0);`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script, base], {
      cwd: ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: join(TLS, "localhost-cert.pem") },
    });

    expect(JSON.parse(stdout)).toEqual([
      [200, { method: "GET", url: "/repos/o/r/check-runs/1", body: "" }],
      [201, { method: "POST", url: "/repos/o/r/check-runs", body: '{"name":"pre-merge"}' }],
    ]);
    expect(connections).toHaveLength(1);
  });

  it("refuses a server whose certificate is not trusted, as fetch does", async () => {
    const script = `
      const { createNodeHttpFetch } = await import("./src/runtime/node-http-fetch.ts");
      try { await createNodeHttpFetch()(process.argv[1] + "/x", { method: "GET" }); process.stdout.write("answered"); }
      catch (error) { process.stdout.write(error.name + ": " + error.message + " / " + error.cause?.code); }`;
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script, base], { cwd: ROOT, env });

    expect(stdout).toBe("TypeError: fetch failed / DEPTH_ZERO_SELF_SIGNED_CERT");
  });
});
