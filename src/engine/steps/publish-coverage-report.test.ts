/**
 * PublishCoverageReport against a small local server playing Codecov's
 * upload API v4 (POST /upload/v4 answers the report's page and a PUT URL;
 * the reports go to that URL), as Eve's step spoke it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../../test/helpers/engine-harness.js";

interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const base = createWorkspaceBase();
const received: Received[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const parsed = new URL(request.url ?? "/", url);
      received.push({ method: request.method ?? "", path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), headers: request.headers, body: Buffer.concat(chunks).toString() });
      if (request.method === "POST" && parsed.pathname === "/upload/v4") {
        if (parsed.searchParams.get("token") !== "t0ken") return void response.writeHead(400).end("Invalid token");
        response.writeHead(200, { "content-type": "text/plain" }).end(`${url}/github/scality/eve/commit/abc\n${url}/s3/upload?X-Amz-Signature=sig\n`);
      } else if (request.method === "PUT" && parsed.pathname === "/s3/upload") response.writeHead(200).end();
      else response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
});

async function publish(params: Record<string, unknown>, secrets: Record<string, string> = { codecov_token: "t0ken" }, configured = true) {
  received.length = 0;
  const steps: [string, Record<string, unknown>][] = [
    ["ShellCommand", { command: "mkdir -p cov && echo 'TN:\nSF:src/a.js\nend_of_record' > cov/lcov.info && echo '<coverage/>' > cov/cobertura.xml" }],
    ["PublishCoverageReport", { repository: "scality/eve", revision: "abc", ...params }],
  ];
  const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s", { secrets, properties: { buildnumber: 7 }, ...(configured ? { services: { coverage: { url } } } : {}) });
  return outcome.steps[1];
}

describe("PublishCoverageReport", () => {
  it("asks the endpoint for an upload with Eve's parameters, then PUTs every report in Codecov's format", async () => {
    const step = await publish({ filepaths: ["cov/lcov.info", "cov/cobertura.xml"], branch: "main", uploadName: "unit", flags: ["unit", "js"], configFile: ".codecov.yml" });

    expect(step).toMatchObject({ name: "publish code coverage report", result: "success" });
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /upload/v4", "PUT /s3/upload"]);
    expect(received[0]?.query).toEqual({ commit: "abc", token: "t0ken", build: "7", service: "buildbot", branch: "main", name: "unit", slug: "scality/eve", flags: "unit,js", yaml: ".codecov.yml" });
    expect(received[1]?.query).toEqual({ "X-Amz-Signature": "sig" });
    expect(received[1]?.headers["content-type"]).toBe("text/plain");
    expect(received[1]?.body).toBe("# path=cov/lcov.info\nTN:\nSF:src/a.js\nend_of_record\n\n<<<<<< EOF\n# path=cov/cobertura.xml\n<coverage/>\n\n<<<<<< EOF\n");
  });

  it("fails on a missing file unless skipMissingFile, and is skipped when none is left", async () => {
    expect(await publish({ filepaths: "cov/nope.info" })).toMatchObject({ result: "failure", summary: 'File "cov/nope.info" not found (or not a regular file)' });
    expect(await publish({ filepaths: ["cov/nope.info"], skipMissingFile: true })).toMatchObject({ result: "skipped" });
    expect(received).toEqual([]);
  });

  it("fails saying what is missing: the endpoint, the repository's token, or the endpoint's consent", async () => {
    expect(await publish({ filepaths: "cov/lcov.info" }, {}, false)).toMatchObject({ result: "failure", summary: expect.stringContaining("PublishCoverageReport cannot run on this Eve: it needs a Codecov-compatible upload endpoint, which the operator sets with EVE_CODECOV_URL") });
    expect(await publish({ filepaths: "cov/lcov.info" }, {})).toMatchObject({ result: "failure", summary: "PublishCoverageReport: no secret 'codecov_token' for this repository: its upload token goes there" });
    expect(await publish({ filepaths: "cov/lcov.info" }, { codecov_token: "wrong" })).toMatchObject({ result: "failure", summary: `Unable to send request to "${url}": HTTP 400 Invalid token` });
  });
});
