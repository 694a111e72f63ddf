/**
 * For the KeptLogStore tests: the test Redis (prefixed-redis.ts) and a disk
 * artifact store in a temp dir removed after the file, KeptLogStores over
 * them with small limits, and ways to write and read back a whole log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { DiskArtifactStore } from "../../src/artifacts/disk-artifact-store.js";
import { KeptLogStore } from "../../src/logs/kept-log-store.js";
import { LogArchive } from "../../src/logs/log-archive.js";
import { LogReader } from "../../src/logs/log-reader.js";
import { RedisLogStore } from "../../src/logs/redis-log-store.js";
import { usePrefixedRedis, type PrefixedRedis } from "./prefixed-redis.js";

export const DAY = 24 * 3600 * 1000;

export interface KeptLogsOptions {
  maxBytes?: number;
  segmentBytes?: number;
  segmentMs?: number;
  headChars?: number;
  liveMs?: number;
  /** The store refuses the files this names, for good (a store that fails). */
  refuse?: (path: string) => boolean;
}

/** One KeptLogStore (as one process has), its two halves, a reader, and the errors it reported. */
export interface KeptLogs {
  logs: KeptLogStore;
  live: RedisLogStore;
  reader: LogReader;
  archive: LogArchive;
  errors: unknown[];
}

export interface KeptLogStores extends PrefixedRedis {
  /** The disk store under every KeptLogStore of the file (use it inside tests and hooks). */
  readonly store: DiskArtifactStore;
  /** A KeptLogStore over the file's Redis and disk store: retention 30 days, segments of 64 KiB or 50 ms unless told. */
  create(options?: KeptLogsOptions): KeptLogs;
}

export function useKeptLogStores(): KeptLogStores {
  const db = usePrefixedRedis();
  let dir: string | undefined;
  let disk: DiskArtifactStore | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "eve-kept-log-"));
    disk = await new DiskArtifactStore(dir).init();
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const stores: KeptLogStores = {
    prefix: db.prefix,
    get redis() {
      return db.redis;
    },
    get store(): DiskArtifactStore {
      if (disk === undefined) throw new Error("useKeptLogStores: the store is made in beforeAll");
      return disk;
    },
    create(options = {}) {
      const { headChars, liveMs, refuse } = options;
      const live = new RedisLogStore(db.redis, { prefix: db.prefix, batchMs: 5, ...(headChars === undefined ? {} : { headChars }), ...(liveMs === undefined ? {} : { liveMs }) });
      const store = stores.store;
      const putFile: DiskArtifactStore["putFile"] = async (container, path, body, putOptions) => {
        if (refuse?.(path)) throw new Error(`refused ${path}`);
        return store.putFile(container, path, body, putOptions);
      };
      const files = new Proxy(store, {
        get: (target, name) => {
          const value: unknown = name === "putFile" ? putFile : Reflect.get(target, name, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      const errors: unknown[] = [];
      const archive = new LogArchive(files, { retentionMs: 30 * DAY, segmentBytes: options.segmentBytes ?? 64 * 1024, segmentMs: options.segmentMs ?? 50, onError: (error) => errors.push(error) });
      const logs = new KeptLogStore({ redis: live, archive, maxBytes: options.maxBytes ?? 1024 ** 3, onError: (error) => errors.push(error) });
      return { logs, live, reader: new LogReader(live, archive), archive, errors };
    },
  };
  return stores;
}

/** Bytes [start, end) of a run's log as a reader serves them (to its end by default). */
export async function readAll(reader: LogReader, run: string, start = 0, end?: number): Promise<string> {
  const view = await reader.view(run);
  if (!("bytes" in view)) throw new Error(`no log: ${view.state}`);
  const chunks: Buffer[] = [];
  for await (const chunk of reader.read(run, view, start, end ?? view.bytes)) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** What `seq from to` prints. */
export function seq(from: number, to: number): string {
  let text = "";
  for (let i = from; i <= to; i++) text += `${i}\n`;
  return text;
}

/** Appends `text` in chunks of `chunk` characters, each once the last is taken, as a step's output comes. */
export async function appendInChunks(logs: KeptLogStore, run: string, text: string, chunk = 65_536): Promise<void> {
  for (let i = 0; i < text.length; i += chunk) await logs.append(run, text.slice(i, i + chunk));
}
