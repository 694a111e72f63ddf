/**
 * The log page over a whole log kept in the artifact store, in Chromium: a
 * 9.3 MB step (`seq 1 1300000`) and a failing one. The page shows the end,
 * jumps to the start, to a step, to the first error and to a search match,
 * and loads earlier output — reading byte ranges, never the whole log.
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiskArtifactStore } from "../../src/artifacts/disk-artifact-store.js";
import { KeptLogStore } from "../../src/logs/kept-log-store.js";
import { LogArchive } from "../../src/logs/log-archive.js";
import { createLogPageHandler } from "../../src/logs/log-page.js";
import { RedisLogStore } from "../../src/logs/redis-log-store.js";
import { type BrowserPageServer, servePagesInChromium } from "../helpers/browser-page-server.js";

const prefix = `test-${randomUUID()}:`;
let redis: Redis;
let dir: string;
let served: BrowserPageServer | undefined;
let browser: Browser;
let base: string;
let run: string;
let logs: KeptLogStore;
/** Bytes of log text the server sent (the /raw and /search bodies). */
let sent = 0;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  dir = mkdtempSync(join(tmpdir(), "eve-log-browser-"));
  logs = new KeptLogStore({
    redis: new RedisLogStore(redis, { prefix, batchMs: 5 }),
    archive: new LogArchive(await new DiskArtifactStore(dir).init(), { retentionMs: 24 * 3600_000 }),
    maxBytes: 1024 ** 3,
  });
  run = `r${randomUUID()}`;
  logs.appendStep(run, 0, "count");
  let chunk = "";
  for (let i = 1; i <= 1_300_000; i++) {
    chunk += `${i}\n`;
    if (chunk.length >= 65_536) {
      await logs.append(run, chunk);
      chunk = "";
    }
  }
  await logs.append(run, chunk);
  logs.appendStep(run, 1, "test");
  await logs.append(run, "ok 1\nnot ok 2 - Error: expected 3, got 4\nok 3\n");
  await logs.finish(run, { result: "failure", summary: "step 'test' exited 1" });

  const handler = createLogPageHandler({ logStore: logs });
  served = await servePagesInChromium((req, res) => {
    const write = res.write.bind(res);
    if (/\/(raw|search)$/.test(new URL(req.url ?? "/", "http://x").pathname)) {
      res.write = ((data: string | Uint8Array, ...rest: never[]) => {
        sent += typeof data === "string" ? Buffer.byteLength(data) : data.length;
        return write(data, ...rest);
      }) as typeof res.write;
    }
    void handler(req, res).then((handled) => handled || res.writeHead(404).end());
  });
  ({ base, browser } = served);
}, 120_000);

afterAll(async () => {
  await served?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** The text of the first `pre` of the view, once it starts with `start`. */
async function firstPreStartsWith(page: Page, start: string): Promise<string> {
  await page.waitForFunction((expected) => (document.querySelector("main pre")?.textContent ?? "").startsWith(expected), start);
  return (await page.locator("main pre").first().textContent()) ?? "";
}

declare const document: { querySelector(selector: string): { textContent: string | null } | null };

describe("the log page over a 9.3 MB log in Chromium", () => {
  it("shows the end, jumps to the start, a step, the first error and a search match, loading only ranges", async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${base}/logs/${run}`);
    await page.locator("body[data-finished=failure]").waitFor();
    const endView = await page.locator("main").textContent();
    expect(endView).toContain("1300000\n");
    expect(endView).toContain("not ok 2 - Error: expected 3, got 4");
    expect(await page.locator(".step").allTextContents()).toEqual(["Step 2: test"]);
    expect(await page.locator("#status").textContent()).toBe("failure: step 'test' exited 1");

    await page.locator("#go-start").click();
    expect((await firstPreStartsWith(page, "1\n2\n3\n")).length).toBeLessThan(300_000);
    expect(await page.locator(".step").first().textContent()).toBe("Step 1: count");

    await page.locator("#go-step").selectOption({ label: "Step 2: test" });
    await page.locator(".step", { hasText: "Step 2: test" }).waitFor();
    expect(await page.locator("main pre").first().textContent()).toBe("ok 1\nnot ok 2 - Error: expected 3, got 4\nok 3\n");

    await page.locator("#go-start").click();
    await firstPreStartsWith(page, "1\n");
    await page.locator("#go-error").click();
    await firstPreStartsWith(page, "not ok 2 - Error");
    expect(await page.locator("#nav-note").textContent()).toBe("first error: not ok 2 - Error: expected 3, got 4");

    await page.locator("#search-q").fill("654321");
    await page.locator("#search button").click();
    await page.locator("#results li").first().waitFor();
    expect(await page.locator("#results li").allTextContents()).toEqual(["Step 1: count654321"]);
    await page.locator("#results li").first().click();
    await firstPreStartsWith(page, "654321\n654322\n");

    const before = await page.locator("#nav-note").textContent();
    await page.locator("#earlier").click();
    await page.waitForFunction((note) => document.querySelector("#nav-note")?.textContent !== note, before);
    expect(await page.locator("main").textContent()).toContain("654318\n654319\n654320\n654321\n654322\n");

    // Seven views of a 9.3 MB log: a few 256 KiB ranges and one search scan's matches, never the log.
    expect(sent).toBeLessThan(2.5 * 1024 * 1024);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);

  it("follows a running stage from near its end, then shows its result", async () => {
    const live = `r${randomUUID()}`;
    logs.appendStep(live, 0, "long");
    let early = "";
    for (let i = 1; i <= 100_000; i++) early += `early ${i}\n`;
    await logs.append(live, early);
    await logs.flush();
    const page = await browser.newPage();

    await page.goto(`${base}/logs/${live}`);
    await page.getByText("early 100000").waitFor();
    void logs.append(live, "late line\n");
    await page.getByText("late line").waitFor();
    await logs.finish(live, { result: "success", summary: "" });
    await page.locator("body[data-finished=success]").waitFor();

    // It started near the end: the first lines are one "Load earlier" away.
    expect(await page.locator("main").textContent()).not.toContain("early 1\n");
    expect(await page.locator("#earlier").isVisible()).toBe(true);
    await page.close();
  }, 60_000);
});
