/**
 * Eve's pages in headless Chromium: a request listener served on a free local
 * port, and the browser; `close()` ends both.
 */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { launchChromium } from "./chromium.js";

export interface BrowserPageServer {
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function servePagesInChromium(listener: RequestListener): Promise<BrowserPageServer> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium().catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
