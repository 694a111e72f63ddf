/**
 * A folder of a container as one zip, streamed: each file is read from the
 * store only when its turn comes, so memory stays flat whatever the size
 * (ZIP64 when needed). Text is deflated; the rest, mostly compressed already,
 * is stored as is.
 */
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { ZipFile } from "yazl";
import type { ArtifactStore, FileInfo } from "../artifacts/artifact-store.js";
import { getContentType } from "./content-type.js";

export async function sendArtifactZip(store: ArtifactStore, container: string, folder: string, res: ServerResponse): Promise<void> {
  const files: FileInfo[] = [];
  for await (const file of store.listFiles(container, folder)) files.push(file);
  const zip = new ZipFile();
  for (const file of files) {
    const name = folder === "" ? file.path : file.path.slice(folder.length + 1);
    const compress = /^(text\/|application\/(json|xml))/.test(getContentType(file.path));
    zip.addReadStreamLazy(name, { size: file.size, mtime: file.mtime, compress }, (callback) => {
      store.readFile(container, file.path).then(
        ({ body }) => callback(null, body),
        (error: unknown) => callback(error, undefined as never),
      );
    });
  }
  zip.end();
  const base = `${container}${folder === "" ? "" : `-${folder}`}`.replace(/[^A-Za-z0-9._-]+/g, "_");
  res.writeHead(200, {
    "content-type": "application/zip",
    "content-disposition": `attachment; filename="${base}.zip"`,
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
  });
  await pipeline(zip.outputStream, res).catch(() => undefined);
}
