/**
 * A git server over smart HTTP that, like GitHub's https for an installation,
 * answers only requests carrying `Authorization: Basic base64(x-access-token:TOKEN)`
 * (401 with a Basic challenge otherwise). Behind it runs git's own CGI,
 * `git http-backend`, on bare repositories under `root`
 * (`http://127.0.0.1:PORT/OWNER/REPO.git`).
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHttpServer {
  /** e.g. http://127.0.0.1:41234, the `githubServerUrl` of the tests. */
  url: string;
  /** Requests answered, with whether they carried the token. */
  requests: { path: string; authorized: boolean }[];
  close(): Promise<void>;
}

export async function startGitHttpServer(root: string, token: string): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
  const requests: GitHttpServer["requests"] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const authorized = request.headers.authorization === expected;
    requests.push({ path: url.pathname, authorized });
    if (!authorized) {
      response.writeHead(401, { "WWW-Authenticate": 'Basic realm="GitHub"' }).end("Unauthorized\n");
      return;
    }
    runBackend(root, url, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One CGI request: the request body on stdin, `Status:` and headers then the body on stdout. */
function runBackend(root: string, url: URL, request: IncomingMessage, response: ServerResponse): void {
  const header = (name: string) => String(request.headers[name] ?? "");
  const cgi = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: request.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: header("content-type"),
      ...(request.headers["content-length"] === undefined ? {} : { CONTENT_LENGTH: header("content-length") }),
      HTTP_CONTENT_ENCODING: header("content-encoding"),
      GIT_PROTOCOL: header("git-protocol"),
      REMOTE_USER: "x-access-token",
      REMOTE_ADDR: "127.0.0.1",
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  request.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) return void response.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end === -1) return;
    headersSent = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else response.setHeader(name, value);
    }
    response.writeHead(status);
    response.write(head.subarray(end + 4));
  });
  cgi.on("close", () => {
    if (!headersSent) response.writeHead(500);
    response.end();
  });
}
