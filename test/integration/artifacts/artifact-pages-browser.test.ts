/**
 * The artifact pages in a real browser (Debian's chromium through
 * playwright-core): the listing, following its links to a file, a Range
 * request, and an uploaded HTML page that cannot script the pages' origin.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGES_CONTAINER, startArtifactPagesServer, type ArtifactPagesServer } from "../../helpers/artifact-pages-server.js";
import { launchChromium } from "../../helpers/chromium.js";

let pages: ArtifactPagesServer;
let browser: Browser;
const listing = () => `${pages.base}/download/${encodeURIComponent(PAGES_CONTAINER)}/`;

beforeAll(async () => {
  pages = await startArtifactPagesServer();
  await pages.put("logs/build output.log", "line 1\nline 2\n");
  await pages.put("big.bin", Buffer.alloc(100_000, 7));
  await pages.put("report/index.html", "<html><body><p id=p>report</p><script>try { document.cookie = 'eve=1'; document.getElementById('p').textContent = 'cookie:' + document.cookie; } catch (e) { document.getElementById('p').textContent = 'blocked:' + e.name; }</script></body></html>");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await pages?.close();
});

describe("artifact pages in Chromium", () => {
  it("lists a container with sizes and follows a link to a file", async () => {
    const page = await browser.newPage();
    await page.goto(listing());

    expect(await page.locator("h1").textContent()).toBe(`${PAGES_CONTAINER}/`);
    expect(await page.locator("tr", { hasText: "big.bin" }).locator("td.n").textContent()).toBe("98 KiB");
    await page.click("text=logs/");
    await page.waitForURL(/\/logs\/$/);
    await page.click("text=build output.log");
    await page.waitForURL(/build%20output\.log$/);
    expect(await page.locator("body").textContent()).toBe("line 1\nline 2\n");
    await page.close();
  });

  it("gets a byte range of a file", async () => {
    const page = await browser.newPage();
    // The listing's CSP allows no fetch from it: the browser itself sends the Range header.
    await page.setExtraHTTPHeaders({ range: "bytes=7-12" });

    const response = await page.goto(`${listing()}logs/build%20output.log`);

    expect(response?.status()).toBe(206);
    expect(await response?.headerValue("content-range")).toBe("bytes 7-12/14");
    expect(await page.locator("body").textContent()).toBe("line 2");
    await page.close();
  });

  it("runs an uploaded HTML page in a sandbox: no cookie of the pages' origin", async () => {
    const page = await browser.newPage();
    await page.goto(`${listing()}report/index.html`);

    await expect.poll(() => page.locator("#p").textContent()).toMatch(/^blocked:SecurityError$/);
    expect(await page.evaluate(() => (globalThis as unknown as { origin: string }).origin)).toBe("null");
    await page.close();
  });
});
