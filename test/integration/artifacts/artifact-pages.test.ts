import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGES_CONTAINER, startArtifactPagesServer, type ArtifactPagesServer } from "../../helpers/artifact-pages-server.js";

const run = promisify(execFile);
let pages: ArtifactPagesServer;
const container = encodeURIComponent(PAGES_CONTAINER);
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

beforeAll(async () => {
  pages = await startArtifactPagesServer();
  await pages.put("build_status/.final_status", "SUCCESSFUL\n");
  await pages.put("report/index.html", "<html><script>document.title='x'</script></html>");
  await pages.put("report/with space & <b>.txt", "spaced\n");
  await pages.put("bin/data.bin", bytes);
  await pages.put("top.log", "hello\n");
});
afterAll(() => pages.close());

/** A raw GET: `fetch` would normalise `..` and `//` away before sending. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(pages.base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${path}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("artifact files", () => {
  it("serves a file with its type, ETag, nosniff and a sandbox CSP", async () => {
    const res = await rawGet(`/builds/${container}/report/index.html`);

    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toMatch(/^sandbox /);
    expect(res.headers["content-security-policy"]).not.toContain("allow-same-origin");
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.body.toString()).toContain("<script>");
  });

  it("answers If-None-Match with 304, a Range with 206, a range past the end with 416", async () => {
    const { headers } = await rawGet(`/builds/${container}/bin/data.bin`);

    expect((await rawGet(`/builds/${container}/bin/data.bin`, { "if-none-match": String(headers.etag) })).status).toBe(304);
    const part = await rawGet(`/download/${container}/bin/data.bin`, { range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe("bytes 100-199/1000");
    expect(part.body).toEqual(bytes.subarray(100, 200));
    const tail = await rawGet(`/download/${container}/bin/data.bin`, { range: "bytes=-10" });
    expect(tail.body).toEqual(bytes.subarray(990));
    const past = await rawGet(`/download/${container}/bin/data.bin`, { range: "bytes=1000-" });
    expect(past.status).toBe(416);
    expect(past.headers["content-range"]).toBe("bytes */1000");
  });

  it.each([
    ["a .. segment", `/builds/${container}/../../etc/passwd`, 400],
    ["an encoded .. segment", `/builds/${container}/%2e%2e/%2E%2E/etc/passwd`, 400],
    ["a double-encoded .. segment", `/builds/${container}/%252e%252e/x`, 400],
    ["an encoded slash", `/builds/${container}/report%2f..%2f..%2fx`, 400],
    ["a //", `/builds/${container}//etc/passwd`, 400],
    ["a container name with ..", `/builds/github:o:r:..%2f..%2fx/y`, 400],
    ["an unknown container", `/builds/github:o:r:staging-9/x`, 404],
    ["a missing file", `/builds/${container}/nope.txt`, 404],
    ["an unknown page", `/upload/${container}/x`, 404],
  ])("refuses %s (%s)", async (_, path, status) => {
    const res = await rawGet(path);

    expect(res.status).toBe(status);
    expect(res.body.toString()).not.toContain("root:");
  });
});

describe("listings", () => {
  it("redirects a container without its slash, lists folders and files with sizes and relative links", async () => {
    const redirect = await rawGet(`/builds/${container}`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`/artifacts/builds/${container}/`);

    const top = (await rawGet(`/download/${container}/`)).body.toString();
    expect(top).toContain('<a href="./build_status/">build_status/</a>');
    expect(top).toContain('<a href="./top.log">top.log</a>');
    const report = (await rawGet(`/download/${container}/report/`)).body.toString();
    expect(report).toContain(`<a href="./with%20space%20%26%20%3Cb%3E.txt">with space &#38; &#60;b&#62;.txt</a>`);
    expect(report).toContain('<a href="../">../</a>');
  });

  it("gives one level as ?format=text and every file as ?format=txt", async () => {
    expect((await rawGet(`/download/${container}/?format=text`)).body.toString()).toBe("bin/\nbuild_status/\nreport/\ntop.log\n");
    expect((await rawGet(`/download/${container}/?format=txt`)).body.toString()).toBe("bin/data.bin\nbuild_status/.final_status\nreport/index.html\nreport/with space & <b>.txt\ntop.log\n");
    expect((await rawGet(`/download/${container}/report/?format=txt`)).body.toString()).toBe("index.html\nwith space & <b>.txt\n");
  });

  it("is crawlable with wget -r --no-parent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eve-wget-"));
    try {
      // Not execFileSync: the server answering wget lives in this process.
      await run("wget", ["-q", "-r", "--no-parent", "-nH", "--cut-dirs=3", "-P", dir, "-R", "index.html*", `${pages.base}/download/${container}/`], { timeout: 30_000 });
      expect(readFileSync(join(dir, "build_status/.final_status"), "utf8")).toBe("SUCCESSFUL\n");
      expect(readFileSync(join(dir, "bin/data.bin"))).toEqual(bytes);
      expect(readFileSync(join(dir, "report/with space & <b>.txt"), "utf8")).toBe("spaced\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("zips a folder (streamed), readable by unzip", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eve-zip-"));
    try {
      const res = await rawGet(`/zip/${container}/report`);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("application/zip");
      writeFileSync(join(dir, "r.zip"), res.body);
      execFileSync("unzip", ["-q", join(dir, "r.zip"), "-d", join(dir, "out")]);
      expect(readFileSync(join(dir, "out", "with space & <b>.txt"), "utf8")).toBe("spaced\n");
      const whole = await rawGet(`/download/${container}/?format=zip`);
      writeFileSync(join(dir, "all.zip"), whole.body);
      expect(execFileSync("unzip", ["-Z1", join(dir, "all.zip")], { encoding: "utf8" }).split("\n").filter(Boolean).sort()).toEqual(["bin/data.bin", "build_status/.final_status", "report/index.html", "report/with space & <b>.txt", "top.log"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("last_success", () => {
  it("redirects to the last successful container of a prefix, never a fork's, and 404s when there is none", async () => {
    const later = PAGES_CONTAINER.replace(/\d{8}$/, "00000008");
    const fork = PAGES_CONTAINER.replace(/\d{8}$/, "00000009");
    await pages.store.ensureContainer(later, { expiresAt: null, buildId: "b8", result: "failure" });
    await pages.store.ensureContainer(fork, { expiresAt: null, buildId: "b9", result: "success", untrusted: true });
    const prefix = PAGES_CONTAINER.replace(/\.\d{8}$/, "");

    const res = await rawGet(`/last_success/${encodeURIComponent(prefix)}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/artifacts/download/${container}/`);
    expect((await rawGet(`/latest/${encodeURIComponent(prefix)}`)).headers.location).toBe(`/artifacts/download/${encodeURIComponent(later)}/`);
    expect((await rawGet(`/last_success/github:o:r:staging-0.0.1`)).status).toBe(404);
  });
});

describe("access check", () => {
  it("asks the hook with the container's repository before serving anything", async () => {
    const asked: unknown[] = [];
    const guarded = await startArtifactPagesServer({
      authorize: async (_req, res, repository) => {
        asked.push(repository);
        res.writeHead(403).end("no");
        return false;
      },
    });
    try {
      const res = await fetch(`${guarded.base}/builds/${container}/top.log`);
      expect(res.status).toBe(403);
      expect(asked).toEqual([{ host: "github", owner: "o", repo: "r", name: PAGES_CONTAINER }]);
    } finally {
      await guarded.close();
    }
  });
});
