import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { getRenderChildEntry } from "./render-child-entry.js";
import { renderPodTemplate } from "./render-pod-template.js";
import { runSandboxedNode } from "./run-sandboxed-node.js";

const dir = mkdtempSync(join(tmpdir(), "eve-sandbox-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "canary-secret-7d1f0c";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\ncanary-key-91b2e4\n-----END RSA PRIVATE KEY-----\n";
const keyFile = join(dir, "app.private-key.pem");
writeFileSync(keyFile, KEY);
const written = join(dir, "written-by-the-child");

/**
 * What a template that got past the allowlist could run: every route to the
 * parent's environment and to the key file that Node offers, each reported as
 * what it gave back or the error code it got.
 */
const ESCAPED = `
import fs from "node:fs";
const routes = {
  env: () => JSON.stringify(process.env),
  readKey: () => fs.readFileSync(${JSON.stringify(keyFile)}, "utf8"),
  readKeyAsync: () => fs.promises.readFile(${JSON.stringify(keyFile)}, "utf8"),
  openKey: () => fs.openSync(${JSON.stringify(keyFile)}, "r"),
  listKeyDir: () => fs.readdirSync(${JSON.stringify(dir)}).join(","),
  importKey: () => import(${JSON.stringify(keyFile)}),
  ownEnviron: () => fs.readFileSync("/proc/self/environ", "utf8"),
  parentEnviron: () => fs.readFileSync("/proc/" + process.ppid + "/environ", "utf8"),
  parentMemory: () => fs.readFileSync("/proc/" + process.ppid + "/maps", "utf8"),
  shell: async () => (await import("node:child_process")).execSync("cat ${keyFile}; env").toString(),
  thread: async () => { const { Worker } = await import("node:worker_threads"); new Worker("process.exit()", { eval: true }); return "started"; },
  binding: () => Object.keys(process.binding("fs")).join(","),
  write: () => fs.writeFileSync(${JSON.stringify(written)}, "x"),
};
const report = {};
for (const [name, route] of Object.entries(routes)) {
  try { report[name] = String(await route()); } catch (error) { report[name] = "denied: " + (error.code ?? error.message); }
}
process.stdout.write(JSON.stringify(report));
`;

describe("runSandboxedNode: what a template that escaped the allowlist could reach", () => {
  it("gets neither the parent's secrets nor the key file by any route", async () => {
    vi.stubEnv("EVE_SECRET_CANARY", SECRET);
    vi.stubEnv("PRIVATE_KEY", KEY);
    const entry = join(dir, "escaped.mjs");
    writeFileSync(entry, ESCAPED);

    const run = await runSandboxedNode({ entry, readable: [entry], stdin: "", timeoutMs: 10_000, maxHeapMb: 64, maxStdoutBytes: 1 << 20 });

    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("canary");
    const report = JSON.parse(run.stdout) as Record<string, string>;
    expect(report.env).toBe("{}");
    for (const route of ["readKey", "readKeyAsync", "openKey", "listKeyDir", "ownEnviron", "parentEnviron", "parentMemory", "shell", "thread", "binding", "write"]) {
      expect(report[route], route).toBe("denied: ERR_ACCESS_DENIED");
    }
    expect(report.importKey).toMatch(/^denied: /);
    expect(existsSync(written)).toBe(false);
  });

  it("the pod template renderer's own process may read only its code and nunjucks", async () => {
    const { readable } = await getRenderChildEntry();

    expect(readable.every((path) => !keyFile.startsWith(path) && !path.startsWith(dir))).toBe(true);
    expect(readable.some((path) => path.endsWith("/node_modules/"))).toBe(true);
  });

  it("stops a process over its heap, and one that writes too much", async () => {
    const hog = join(dir, "hog.mjs");
    writeFileSync(hog, "const a = []; for (;;) a.push('x'.repeat(1e6) + Math.random());");
    const chatty = join(dir, "chatty.mjs");
    writeFileSync(chatty, "import { writeSync } from 'node:fs'; for (;;) writeSync(1, 'x'.repeat(65536));");

    const [heap, output] = await Promise.all([
      runSandboxedNode({ entry: hog, readable: [hog], stdin: "", timeoutMs: 20_000, maxHeapMb: 32, maxStdoutBytes: 1 << 20 }),
      runSandboxedNode({ entry: chatty, readable: [chatty], stdin: "", timeoutMs: 20_000, maxHeapMb: 32, maxStdoutBytes: 1 << 20 }),
    ]);

    expect(heap.stopped).toBeUndefined();
    expect(heap.code).not.toBe(0);
    expect(heap.stderr).toMatch(/heap out of memory|Reached heap limit/);
    expect(output.stopped).toBe("output");
    expect(output.stdout.length).toBeLessThanOrEqual(1 << 20);
  });
});

describe("renderPodTemplate in its own process", () => {
  it("renders with the parent's canary secret set, and nothing of it reaches the pod", async () => {
    vi.stubEnv("EVE_SECRET_CANARY", SECRET);

    const result = await renderPodTemplate("name: {{ vars.name }}\n{% for k, v in vars.items() %}{{ k }}={{ v }};{% endfor %}", { images: {}, vars: { name: "w" } });

    expect(result).toEqual({ ok: true, text: "name: w\nname=w;" });
  });
});
