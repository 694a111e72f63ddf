/**
 * The log10mb workload through the whole app: one step printing 9.3 MB
 * (`seq 1 1300000`) runs on a local worker; its log keeps all 1,300,000
 * lines, identical to the command's output, served by `/raw` whole and by
 * byte range from the artifact store once the stage has ended.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogPageHandler } from "../../src/logs/log-page.js";
import { startAppHarness, type AppHarness } from "./app-harness.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: log10mb
stages:
  log10mb:
    worker: {type: local}
    steps:
      - ShellCommand: {name: count, command: 'seq 1 1300000'}
`;

let app: AppHarness | undefined;
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await app?.close();
});

describe("the log10mb workload", () => {
  it("keeps all 1,300,000 lines of a 9.3 MB step, identical to the command's output, whole and by range", async () => {
    app = await startAppHarness(buildFile);
    const handler = createLogPageHandler({ logStore: app.runtime.logStore });
    server = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    await app.push({ id: "log10mb" });
    const harness = app;
    await expect.poll(() => harness.checkRuns()[0]?.statuses.at(-1), { timeout: 60_000, interval: 200 }).toBe("completed");
    const create = app.github.requests.find((request) => request.operation === "checks/create");
    const run = /\/logs\/([^/]+)$/.exec((create?.body as { details_url: string }).details_url)?.[1] ?? "";
    type Meta = { state: string; bytes: number; steps: { offset: number; name: string; index: number }[] };
    const getMeta = async () => (await (await fetch(`${base}/logs/${run}/meta`)).json()) as Meta;
    // The check run completes as the log is being finalised in the store.
    await expect.poll(async () => (await getMeta()).state, { timeout: 30_000, interval: 100 }).toBe("finished");
    const meta = await getMeta();
    const raw = Buffer.from(await (await fetch(`${base}/logs/${run}/raw`)).arrayBuffer());

    const expected = execFileSync("seq", ["1", "1300000"], { maxBuffer: 64 * 1024 * 1024 });
    const step = meta.steps[0] ?? { offset: -1, index: 0, name: "" };
    // The step header, then the command line Eve prints, then the output.
    const outputStart = step.offset + Buffer.byteLength(`\n── step 1: ${step.name} ──\n$ seq 1 1300000\n`);
    const output = raw.subarray(outputStart, outputStart + expected.length);
    expect(meta).toMatchObject({ state: "finished", bytes: raw.length, steps: [{ index: 0, name: "count" }] });
    expect(output.equals(expected)).toBe(true);
    expect(output.toString("latin1").split("\n").length - 1).toBe(1_300_000);
    expect(raw.subarray(outputStart + expected.length).toString()).toMatch(/^\n── success/);

    const from = outputStart + 4_567_890;
    const range = await fetch(`${base}/logs/${run}/raw`, { headers: { range: `bytes=${from}-${from + 999_999}` } });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe(`bytes ${from}-${from + 999_999}/${raw.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(raw.subarray(from, from + 1_000_000))).toBe(true);
  }, 120_000);
});
