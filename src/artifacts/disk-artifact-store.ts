/**
 * The embedded artifact store: a directory, identical files stored once.
 *
 *   <root>/blobs/ab/cdef…      each distinct content once, named by its sha256
 *   <root>/containers/<name>/meta.json
 *   <root>/containers/<name>/files/<path>   hard links to the blobs: plain files a person can open
 *   <root>/tmp/    files being written, containers being assembled (renamed into place when whole)
 *   <root>/trash/  deleted containers, removed right after (or by gc after a crash)
 *
 * A file's references are its hard links, so the link count is the reference count: a blob with one
 * link (its own name) is garbage, and `gc` needs no index scan. A copy (promotion) is a tree of links.
 * A race between gc and a new reference can only lose deduplication, never data: the new link keeps
 * the inode alive. Names and paths are validated before they are joined to the root, and the store
 * only ever creates directories, regular files and hard links (never symlinks), so nothing resolves
 * outside the root.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { lstat, mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { ArtifactExistsError, ArtifactNotFoundError } from "./artifact-errors.js";
import type {
  ArtifactStore,
  ByteRange,
  ContainerFile,
  ContainerInfo,
  ContainerMetadata,
  FileInfo,
  FolderListing,
  GcReport,
  NewContainer,
  PutFileOptions,
} from "./artifact-store.js";
import { compareKeys, completeMetadata, parseMetadata, skipDamaged } from "./container-metadata.js";
import { DiskBlobs } from "./disk-blobs.js";
import { isCode, linkOrCopy, makeStagingFolder, placeFile, readFolderListing, regularFileInfo, removeEntries, resolveRange, settleAll, toFileInfo, walkFiles } from "./disk-store-files.js";
import { writeBodyToFile } from "./write-body-to-file.js";
import { validateArtifactFolder, validateArtifactPath, validateContainerName, validateContainerPrefix } from "./validate-artifact-name.js";

/**
 * Stored files are read-only: one inode is every container's copy of that content, so a person
 * editing a file in place (under `files/`) would change them all.
 */
const READ_ONLY = 0o444;
/** Files left in tmp/ by a crashed process are removed by gc after this long. */
const STALE_TMP_MS = 24 * 3600_000;

export class DiskArtifactStore implements ArtifactStore {
  readonly kind = "disk";
  readonly #blobs: DiskBlobs;
  readonly #containers: string;
  readonly #tmp: string;
  readonly #trash: string;

  readonly root: string;

  constructor(root: string) {
    this.root = root;
    this.#blobs = new DiskBlobs(join(root, "blobs"));
    this.#containers = join(root, "containers");
    this.#tmp = join(root, "tmp");
    this.#trash = join(root, "trash");
  }

  /** Creates the store's folders (idempotent); call once before use. */
  async init(): Promise<this> {
    for (const dir of [this.#blobs.dir, this.#containers, this.#tmp, this.#trash]) await mkdir(dir, { recursive: true });
    return this;
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  /** The folder holding a container's files as plain files (for `eve run`'s "where is it" table). */
  filesDir(container: string): string {
    return join(this.#containers, validateContainerName(container), "files");
  }

  async ensureContainer(name: string, metadata: NewContainer): Promise<ContainerInfo> {
    const existing = await this.getContainer(name);
    if (existing !== undefined) return existing;
    const info = { name, ...completeMetadata(metadata, new Date()) };
    try {
      await this.#placeContainer(name, info, async () => {});
      return info;
    } catch (error) {
      if (!(error instanceof ArtifactExistsError)) throw error;
      // Another stage created it meanwhile: theirs stands.
      const winner = await this.getContainer(name);
      if (winner === undefined) throw new ArtifactNotFoundError(`artifact container ${name} was deleted while being created`);
      return winner;
    }
  }

  async createContainer(name: string, metadata: NewContainer, files: readonly ContainerFile[]): Promise<ContainerInfo> {
    const info = { name, ...completeMetadata(metadata, new Date()) };
    const paths = files.map((file) => validateArtifactPath(file.path));
    const folders = [...new Set(paths.map((path) => path.split("/").slice(0, -1).join("/")).filter((folder) => folder !== ""))];
    await this.#placeContainer(name, info, async (filesDir) => {
      for (const folder of folders.slice(1)) mkdirSync(join(filesDir, folder), { recursive: true });
      // Small and in memory (the interface's promise): written in place in the staging folder, then
      // shared like any put file (same content, same blob) unless unique.
      const targets = files.map((file, i) => {
        const target = join(filesDir, paths[i] as string);
        writeFileSync(target, file.body, { flag: "wx", mode: READ_ONLY });
        return target;
      });
      await settleAll(files.map(async (file, i) => {
        if (file.unique === true) return;
        const target = targets[i] as string;
        const placed = await this.#blobs.share(target, createHash("sha256").update(file.body).digest("hex"), file.body.length);
        if (placed !== target) await rename(placed, target);
      }));
    }, folders);
    return info;
  }

  async getContainer(name: string): Promise<ContainerInfo | undefined> {
    const dir = join(this.#containers, validateContainerName(name));
    try {
      return { name, ...parseMetadata(name, await readFile(join(dir, "meta.json"), "utf8")) };
    } catch (error) {
      if (isCode(error, "ENOENT")) return undefined;
      throw error;
    }
  }

  async updateContainer(name: string, patch: Partial<ContainerMetadata>): Promise<ContainerInfo> {
    const current = await this.getContainer(name);
    if (current === undefined) throw new ArtifactNotFoundError(`no artifact container ${name}`);
    const updated: ContainerInfo = { ...current, ...patch, name };
    const { name: _name, ...metadata } = updated;
    const tmp = join(this.#tmp, `${randomUUID()}.json`);
    await writeFile(tmp, JSON.stringify(metadata));
    await rename(tmp, join(this.#containers, name, "meta.json")).catch(async (error: unknown) => {
      await rm(tmp, { force: true });
      if (isCode(error, "ENOENT")) throw new ArtifactNotFoundError(`artifact container ${name} was deleted while being updated`);
      throw error;
    });
    return updated;
  }

  async *listContainers(prefix: string): AsyncIterable<ContainerInfo> {
    validateContainerPrefix(prefix);
    for (const name of (await readdir(this.#containers)).filter((entry) => entry.startsWith(prefix)).sort(compareKeys)) {
      const info = await this.getContainer(name).catch(skipDamaged);
      if (info !== undefined) yield info; // undefined: deleted since readdir
    }
  }

  async deleteContainer(name: string): Promise<void> {
    const trashed = join(this.#trash, randomUUID());
    try {
      // One rename makes the whole container disappear at once; the slow removal follows.
      await rename(join(this.#containers, validateContainerName(name)), trashed);
    } catch (error) {
      if (isCode(error, "ENOENT")) return;
      throw error;
    }
    await rm(trashed, { recursive: true, force: true });
  }

  async copyContainer(from: string, to: string, metadata: NewContainer): Promise<ContainerInfo> {
    const source = this.filesDir(from);
    if ((await this.getContainer(from)) === undefined) throw new ArtifactNotFoundError(`no artifact container ${from}`);
    const info = { name: to, ...completeMetadata(metadata, new Date()) };
    await this.#placeContainer(to, info, async (files) => {
      for (const file of await walkFiles(source, "")) {
        const target = join(files, file.path);
        await mkdir(join(target, ".."), { recursive: true });
        await linkOrCopy(join(source, file.path), target);
      }
    });
    return info;
  }

  async putFile(container: string, path: string, body: Readable | AsyncIterable<Uint8Array>, options: PutFileOptions = {}): Promise<FileInfo> {
    // Every call here is a system call on libuv's small thread pool: an upload of thousands of small
    // files pays for each, so the common path makes as few as it can.
    // A container that does not exist is found when the file is renamed into it (no check first).
    const filesDir = this.filesDir(container);
    const target = join(filesDir, validateArtifactPath(path));
    const tmp = join(this.#tmp, randomUUID());
    // Unique content (a log segment) is not hashed: it stays apart, a file with one link removed with its
    // container (gc only looks at blobs), and hashing it cost the event loop ~0.6 ms per MiB stored.
    const hash = options.unique === true ? undefined : createHash("sha256");
    let placed: string | undefined;
    try {
      const size = await writeBodyToFile(body, tmp, {
        path,
        mode: READ_ONLY,
        maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY,
        ...(hash ? { onChunk: (chunk: Buffer) => hash.update(chunk) } : {}),
        signal: options.signal,
      });
      placed = hash ? await this.#blobs.share(tmp, hash.digest("hex"), size) : tmp;
      await placeFile(placed, target, filesDir, path, container);
      if (placed !== tmp) await unlink(tmp);
      placed = undefined;
      return toFileInfo(path, await lstat(target));
    } catch (error) {
      // Whatever was not renamed into the container.
      await unlink(tmp).catch(() => {});
      if (placed !== undefined && placed !== tmp) await unlink(placed).catch(() => {});
      throw error;
    }
  }

  async statFile(container: string, path: string): Promise<FileInfo | undefined> {
    const file = join(this.filesDir(container), validateArtifactPath(path));
    try {
      return await regularFileInfo(file, path);
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR") || error instanceof ArtifactNotFoundError) return undefined;
      throw error;
    }
  }

  async readFile(container: string, path: string, range?: ByteRange): Promise<{ info: FileInfo; body: Readable }> {
    const file = join(this.filesDir(container), validateArtifactPath(path));
    const handle = await open(file, "r").catch((error: unknown) => {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR") || isCode(error, "EISDIR")) {
        throw new ArtifactNotFoundError(`no artifact ${path} in ${container}`);
      }
      throw error;
    });
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new ArtifactNotFoundError(`no artifact ${path} in ${container}`);
      const info = toFileInfo(path, stats);
      const { start, end } = resolveRange(range, info.size, path);
      return { info, body: handle.createReadStream({ start, end }) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async *listFiles(container: string, prefix = ""): AsyncIterable<FileInfo> {
    const folder = validateArtifactFolder(prefix);
    yield* await walkFiles(join(this.filesDir(container), folder), folder);
  }

  async listFolder(container: string, folder: string): Promise<FolderListing> {
    const relative = validateArtifactFolder(folder);
    return await readFolderListing(join(this.filesDir(container), relative), relative);
  }

  async deleteFile(container: string, path: string): Promise<void> {
    await rm(join(this.filesDir(container), validateArtifactPath(path)), { force: true });
  }

  async gc(now: Date): Promise<GcReport> {
    const report: GcReport = { containersDeleted: [], objectsDeleted: 0 };
    for await (const container of this.listContainers("")) {
      if (container.expiresAt !== null && Date.parse(container.expiresAt) <= now.getTime()) {
        await this.deleteContainer(container.name);
        report.containersDeleted.push(container.name);
      }
    }
    await removeEntries(this.#trash, () => true);
    // The file system's clock, not `now` (which may be any time a caller collects as of).
    await removeEntries(this.#tmp, (stats) => Date.now() - stats.mtimeMs > STALE_TMP_MS);
    report.objectsDeleted = await this.#blobs.removeUnreferenced();
    return report;
  }

  /**
   * Builds a container in tmp/ and renames it into place whole, so it never appears half made.
   * `folders`: the first of them is made with the staging folder. Its own calls are synchronous:
   * a few small ones (folders, metadata, the rename), each of which would cost more as a round trip
   * through the thread pool (~50 µs of CPU here) than as the call itself, on every stage's end (its
   * log's container) and every Upload.
   */
  async #placeContainer(name: string, info: ContainerInfo, fill: (filesDir: string) => Promise<void>, folders: readonly string[] = []): Promise<void> {
    const target = join(this.#containers, validateContainerName(name));
    const staging = join(this.#tmp, randomUUID());
    const { name: _name, ...metadata } = info;
    try {
      makeStagingFolder(staging, folders[0]);
      writeFileSync(join(staging, "meta.json"), JSON.stringify(metadata));
      await fill(join(staging, "files"));
      try {
        renameSync(staging, target);
      } catch (error) {
        if (isCode(error, "EEXIST") || isCode(error, "ENOTEMPTY")) throw new ArtifactExistsError(`artifact container ${name} already exists`);
        throw error;
      }
    } catch (error) {
      // Once renamed there is nothing left to remove: only a failure leaves the staging folder.
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }
}
