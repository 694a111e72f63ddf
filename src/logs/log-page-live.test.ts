/**
 * The log page's `/events` over a live log kept whole (KeptLogStore: Redis +
 * the disk artifact store): what one follower costs the log store, and what
 * a second follower costs the page.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useKeptLogStores } from "../../test/helpers/kept-log-stores.js";
import { renderEntryEvents } from "./log-entry-events.js";
import { createLogPageHandler } from "./log-page.js";
import type { KeptLogStore } from "./kept-log-store.js";

// Counts the renderings of entries, whoever asks for them.
vi.mock("./log-entry-events.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./log-entry-events.js")>();
  return { ...actual, renderEntryEvents: vi.fn(actual.renderEntryEvents) };
});

const stores = useKeptLogStores();
const servers: Server[] = [];
const followers: AbortController[] = [];

afterEach(async () => {
  for (const follower of followers.splice(0)) follower.abort();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(logStore: KeptLogStore): Promise<string> {
  const handler = createLogPageHandler({ logStore });
  const server = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A live follower of `url`: `until(text)` resolves once the stream so far holds `text`. */
async function follow(url: string): Promise<{ until(text: string): Promise<string> }> {
  const controller = new AbortController();
  followers.push(controller);
  const response = await fetch(url, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let received = "";
  return {
    async until(text) {
      while (!received.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${JSON.stringify(text)}: ${received}`);
        received += decoder.decode(value, { stream: true });
      }
      return received;
    },
  };
}

/** A running stage's log: its step and a first line, in Redis and the store. */
async function liveRun(logs: KeptLogStore): Promise<string> {
  const run = `r${randomUUID()}`;
  logs.appendStep(run, 0, "build");
  await logs.append(run, "first line\n");
  await logs.flush();
  return run;
}

describe("the log page's /events over a live log", () => {
  it("looks the log up once, as /meta does, to start near its end; then follows it", async () => {
    const { logs, archive } = stores.create();
    const base = await serve(logs);
    const run = await liveRun(logs);
    const lookups = vi.spyOn(archive, "lookup");
    await (await fetch(`${base}/logs/${run}/meta`)).json();
    const oneView = lookups.mock.calls.length;
    lookups.mockClear();

    const follower = await follow(`${base}/logs/${run}/events?tail=1000`);
    await follower.until("first line");
    const lookedUp = lookups.mock.calls.length;
    await logs.append(run, "second line\n");
    const received = await follower.until("second line");

    expect(oneView).toBeGreaterThan(0);
    expect(lookedUp).toBe(oneView);
    expect(received.match(/first line/g)).toHaveLength(1);
  });

  it("renders each entry once for all of its followers", async () => {
    const { logs } = stores.create();
    const base = await serve(logs);
    const run = await liveRun(logs);
    const renderings = vi.mocked(renderEntryEvents);
    renderings.mockClear();

    const first = await follow(`${base}/logs/${run}/events`);
    await first.until("first line");
    const second = await follow(`${base}/logs/${run}/events`);
    await second.until("first line");
    await logs.append(run, "second line\n");
    await Promise.all([first.until("second line"), second.until("second line")]);

    const entries = new Set(renderings.mock.calls.map(([entry]) => entry.id));
    expect(entries.size).toBeGreaterThanOrEqual(2);
    expect(renderings).toHaveBeenCalledTimes(entries.size);
  });
});
