/**
 * Upload's links on the stage's log page, in Chromium: an anchor for an
 * http(s) link, plain text for anything else (a link record comes from a
 * build's `urls` names and Eve's own URLs, but the page trusts neither).
 */
import { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogPageHandler } from "../../../src/logs/log-page.js";
import { RedisLogStore } from "../../../src/logs/redis-log-store.js";
import { type BrowserPageServer, servePagesInChromium } from "../../helpers/browser-page-server.js";

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

describe("links on the log page", () => {
  it("shows an artifact link as an anchor while the stage runs, a non-http one as text, and both in the text of the log", async () => {
    const run = randomUUID();
    logs.appendStep(run, 0, "upload");
    await logs.flush();
    const page = await browser.newPage();
    await page.goto(`${base}/logs/${run}`);
    await page.locator(".step", { hasText: "Step 1: upload" }).waitFor();

    logs.appendLink(run, "report <b>1</b>", "http://eve.test/artifacts/builds/c/report.html");
    logs.appendLink(run, "evil", "javascript:alert(1)");
    await logs.flush();
    await page.locator(".link").nth(1).waitFor();

    const anchor = page.locator(".link a");
    expect(await anchor.count()).toBe(1);
    expect(await anchor.textContent()).toBe("report <b>1</b>");
    expect(await anchor.getAttribute("href")).toBe("http://eve.test/artifacts/builds/c/report.html");
    expect(await anchor.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await page.locator(".link").nth(1).textContent()).toBe("evil: javascript:alert(1)");
    await logs.finish(run, { result: "success", summary: "success" });
    await page.locator("body[data-finished=success]").waitFor();
    const raw = await (await fetch(`${base}/logs/${run}/raw`)).text();
    expect(raw).toContain("report <b>1</b>: http://eve.test/artifacts/builds/c/report.html\n");
    await page.close();
  });
});
