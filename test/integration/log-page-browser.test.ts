/**
 * The log page in a real browser: Debian's chromium driven by playwright-core
 * (no browser download). A stage's log grows while the page is open; the page
 * shows the lines as they arrive, the colours, the step headers, the final
 * result, and an injected <script> as plain text.
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogPageHandler } from "../../src/logs/log-page.js";
import { RedisLogStore } from "../../src/logs/redis-log-store.js";
import { type BrowserPageServer, servePagesInChromium } from "../helpers/browser-page-server.js";

/** What the tests use of the page's globals (the project type-checks without the DOM lib). */
type BrowserGlobals = { getComputedStyle(element: unknown): { color: string } };
const prefix = `test-${randomUUID()}:`;
let redis: Redis;
let logs: RedisLogStore;
let served: BrowserPageServer | undefined;
let browser: Browser;
let base: string;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? "", { maxRetriesPerRequest: null });
  logs = new RedisLogStore(redis, { prefix, batchMs: 5 });
  const handler = createLogPageHandler({ logStore: logs });
  served = await servePagesInChromium((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
  ({ base, browser } = served);
});

afterAll(async () => {
  await served?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
});

describe("log page in Chromium", () => {
  it("shows lines as they arrive, colours, step headers, the final result, and untrusted markup as text", async () => {
    const run = randomUUID();
    logs.appendInfo(run, "Queued stage pre-merge (attempt 1)");
    await logs.flush();
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (dialog) => void dialog.dismiss().then(() => dialogs.push(dialog.message())));
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${base}/logs/${run}`);
    await page.getByText("Queued stage pre-merge (attempt 1)").waitFor();
    logs.appendStep(run, 0, "compile");
    void logs.append(run, "gcc -c main.c\n\x1b[1;31merror:\x1b[0m bad\n");
    await page.locator(".step", { hasText: "Step 1: compile" }).waitFor();
    await page.locator("span.b.f1", { hasText: "error:" }).waitFor();
    const statusWhileRunning = await page.locator("#status").textContent();
    for (let i = 0; i < 20; i++) {
      void logs.append(run, `line ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await page.getByText("line 19").waitFor();
    void logs.append(run, "<script>alert('xss')</script><img src=x onerror=alert(2)>\n");
    await logs.finish(run, { result: "failure", summary: "step 'compile' exited 1" });
    await page.locator("body[data-finished=failure]").waitFor();

    expect(statusWhileRunning).toBe("running…");
    expect(await page.locator("#status").textContent()).toBe("failure: step 'compile' exited 1");
    expect(await page.locator("main").textContent()).toContain("<script>alert('xss')</script><img src=x onerror=alert(2)>");
    expect(await page.locator("main script, main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    const raw = await page.locator("#raw").getAttribute("href");
    expect(raw).toBe(`/logs/${run}/raw`);
    await page.close();
  });

  it("shows a finished log whole, and keeps chunked escape sequences intact", async () => {
    const run = randomUUID();
    void logs.append(run, "plain \x1b[3");
    await logs.flush();
    void logs.append(run, "2mgreen\x1b[0m \x1b[38;5;208morange\x1b[0m\n");
    // The engine's stage summaries start with their result: not shown twice.
    await logs.finish(run, { result: "success", summary: "success" });
    const page = await browser.newPage();

    await page.goto(`${base}/logs/${run}`);
    await page.locator("body[data-finished=success]").waitFor();
    expect(await page.locator("#status").textContent()).toBe("success");

    expect(await page.locator("span.f2").textContent()).toBe("green");
    expect(await page.locator("span[style]").evaluate((el) => (globalThis as unknown as BrowserGlobals).getComputedStyle(el).color)).toBe("rgb(255, 135, 0)");
    expect(await page.locator("pre").textContent()).toBe("plain green orange\n");
    await page.close();
  });
});
