/**
 * The artifact pages on a local HTTP server over a disk store in a temporary
 * folder, holding one container: for page tests (plain HTTP and Chromium).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createArtifactPagesHandler, type AuthorizeArtifacts } from "../../src/artifact-pages/artifact-pages.js";
import { DiskArtifactStore } from "../../src/artifacts/disk-artifact-store.js";

export const PAGES_CONTAINER = "github:o:r:staging-1.2.3.r240102030405.0123456789.pre-merge.00000007";

export interface ArtifactPagesServer {
  base: string;
  store: DiskArtifactStore;
  put(path: string, content: string | Buffer, container?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startArtifactPagesServer(options: { authorize?: AuthorizeArtifacts } = {}): Promise<ArtifactPagesServer> {
  const root = mkdtempSync(join(tmpdir(), "eve-artifact-pages-"));
  const store = await new DiskArtifactStore(root).init();
  await store.ensureContainer(PAGES_CONTAINER, { expiresAt: null, buildId: "b7", result: "success" });
  const handler = createArtifactPagesHandler({ store: async () => store, basePath: "/artifacts", ...(options.authorize ? { authorize: options.authorize } : {}) });
  const server: Server = createServer((req, res) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/artifacts`,
    store,
    async put(path, content, container = PAGES_CONTAINER) {
      await store.putFile(container, path, Readable.from([Buffer.from(content)]));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
