/**
 * A docker stage's build context, read from the repository checkout: the
 * paths are checked (no way out of the repository, no links, as Eve's
 * documentation promised), `.dockerignore` applied, and everything that goes
 * into the image hashed, so an unchanged context maps to the same image tag.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { resolveRepositoryPath } from "../safe-path.js";
import type { ArchiveEntry } from "./tar-archive.js";
import { parseDockerIgnore, type DockerIgnore } from "./docker-ignore.js";

export interface BuildContext {
  /** What the archive holds, the Dockerfile included. */
  entries: ArchiveEntry[];
  /** Where the Dockerfile sits in the archive. */
  dockerfile: string;
  /** sha256 (hex) of every entry's name, type, mode and content. */
  hash: string;
}

export type BuildContextResult = { ok: true; context: BuildContext } | { ok: false; message: string };

export async function readBuildContext(repoDir: string, path: string, dockerfile: string | undefined): Promise<BuildContextResult> {
  const repo = await realpath(repoDir);
  const contextDir = await checkInside(repo, path, "path", "directory");
  if (typeof contextDir !== "string") return contextDir;
  const dockerfilePath = await checkInside(repo, dockerfile ?? posix.join(path, "Dockerfile"), "dockerfile", "file");
  if (typeof dockerfilePath !== "string") return dockerfilePath;

  const ignore = parseDockerIgnore(await readFile(join(contextDir, ".dockerignore"), "utf8").catch(() => ""));
  const entries: ArchiveEntry[] = [];
  const inside = relative(contextDir, dockerfilePath).split(sep).join("/");
  const dockerfileInContext = !inside.startsWith("../") && !isAbsolute(inside);
  const refused = await walk(contextDir, "", ignore, entries, dockerfileInContext ? inside : undefined);
  if (refused) return { ok: false, message: refused };

  let archiveDockerfile = inside;
  if (!dockerfileInContext) {
    // As the Docker CLI does: a Dockerfile outside the context travels inside the archive under a private name.
    const stats = await lstat(dockerfilePath);
    archiveDockerfile = ".eve-dockerfile";
    entries.push({ name: archiveDockerfile, type: "file", source: dockerfilePath, size: stats.size, mode: stats.mode, mtimeMs: stats.mtimeMs });
  }
  return { ok: true, context: { entries, dockerfile: archiveDockerfile, hash: await hashEntries(entries, archiveDockerfile) } };
}

/** The real path of `path` in the repository, or why it is refused: the shared path-safety check, links refused. */
export async function checkInside(repo: string, path: string, key: string, kind: "file" | "directory"): Promise<string | { ok: false; message: string }> {
  const resolved = await resolveRepositoryPath(repo, path, { what: `worker ${key}`, kind, links: "refuse" });
  return resolved.ok ? resolved.path : resolved;
}

async function walk(root: string, dir: string, ignore: DockerIgnore, entries: ArchiveEntry[], dockerfile: string | undefined): Promise<string | undefined> {
  const names = (await readdir(join(root, dir))).sort();
  for (const name of names) {
    const rel = dir === "" ? name : `${dir}/${name}`;
    // The Dockerfile and .dockerignore always travel, as with the Docker CLI.
    const kept = rel === dockerfile || rel === ".dockerignore";
    const ignored = !kept && ignore.isIgnored(rel);
    const source = join(root, rel);
    const stats = await lstat(source);
    if (stats.isDirectory()) {
      if (ignored && !ignore.hasExceptions) continue;
      const before = entries.length;
      const refused = await walk(root, rel, ignore, entries, dockerfile);
      if (refused) return refused;
      if (!ignored || entries.length > before) entries.splice(before, 0, { name: rel, type: "directory", size: 0, mode: stats.mode, mtimeMs: stats.mtimeMs });
      continue;
    }
    if (ignored) continue;
    if (stats.isSymbolicLink()) return `the build context contains a link, '${rel}'; links are not allowed in build contexts`;
    if (!stats.isFile()) return `the build context contains '${rel}', which is neither a file nor a directory`;
    entries.push({ name: rel, type: "file", source, size: stats.size, mode: stats.mode, mtimeMs: stats.mtimeMs });
  }
  return undefined;
}

async function hashEntries(entries: readonly ArchiveEntry[], dockerfile: string): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`dockerfile\0${dockerfile}\0`);
  for (const entry of entries) {
    // Only the permission bits that COPY preserves; mtimes change with every checkout.
    hash.update(`${entry.type}\0${entry.name}\0${(entry.mode & 0o7777).toString(8)}\0${entry.size}\0`);
    if (entry.type === "file" && entry.source !== undefined) {
      for await (const chunk of createReadStream(entry.source)) hash.update(chunk as Buffer);
    }
  }
  return hash.digest("hex");
}
