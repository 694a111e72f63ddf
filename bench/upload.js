// (u) Upload throughput: a source of 2000 small files and 4 × 64 MB read out of a local worker as
// a tar stream and stored in the disk artifact store, vs `tar -c source | cat > /dev/null` on the
// same files. Target: the upload at ≥ 0.5× the raw floor's throughput.
import { execFileSync } from "node:child_process";
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskArtifactStore } from "../dist/artifacts/disk-artifact-store.js";
import { loadWorkerSettings } from "../dist/config/load-worker-settings.js";
import { createProvisionerRegistry } from "../dist/provisioners/registry.js";
import { buildFileOf, ms, runBenchStage, runShell } from "./harness.js";

const SMALL = 2000;
const SMALL_BYTES = 16 * 1024;
const LARGE = 4;
const LARGE_BYTES = 64 * 1024 * 1024;
const TOTAL = SMALL * SMALL_BYTES + LARGE * LARGE_BYTES;
const NO_LIMIT = { maxBytes: Infinity, maxFiles: Infinity };
const CONTAINER = "bench:bench:bench:staging-1.0.r240101000000.0123456789.bench.00000001";
const PROPERTIES = { eve_api_version: "0.2", artifacts_name: CONTAINER };

function prepareSource(dir) {
  for (let i = 0; i < SMALL; i++) {
    const folder = join(dir, `d${i % 50}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${i}.bin`), randomBytes(SMALL_BYTES));
  }
  // Incompressible and distinct: the store hashes and writes every byte.
  for (let i = 0; i < LARGE; i++) execFileSync("sh", ["-c", `head -c ${LARGE_BYTES} /dev/urandom > '${join(dir, `large${i}.bin`)}'`]);
}

/** The local worker's exec alone: the same tar stream to a consumer that does nothing. */
async function execFloor(work, source) {
  const provisioner = createProvisionerRegistry(loadWorkerSettings({}).settings, { workersDir: join(work, "workers") }).get("local");
  const labels = { instance: "bench", build: "bench", stage: "bench", attempt: 1, run: "bench-exec" };
  const workspace = await provisioner.spawn({ type: "local" }, { labels, repoDir: undefined, interpolate: (value) => value, log: () => {}, signal: new AbortController().signal });
  try {
    const start = process.hrtime.bigint();
    const options = { workdir: source, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 600_000, maxTimeMs: 600_000, killGraceMs: 1000, usePty: false, onOutput: () => {}, signal: new AbortController().signal };
    await workspace.exec({ argv: ["tar", "-c", "-f", "-", "."] }, options);
    return ms(start);
  } finally {
    await workspace.teardown();
  }
}

/** The store alone: every file put from disk, one after the other, as an upload does. */
async function storeFloor(work, source) {
  const store = await new DiskArtifactStore(join(work, "store-floor")).init();
  await store.ensureContainer(CONTAINER, { expiresAt: null });
  const start = process.hrtime.bigint();
  for (const entry of readdirSync(source, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await store.putFile(CONTAINER, path.slice(source.length + 1), createReadStream(path));
  }
  const took = ms(start);
  rmSync(join(work, "store-floor"), { recursive: true, force: true });
  return took;
}

export async function benchUpload() {
  const work = mkdtempSync(join(tmpdir(), "eve-bench-upload-"));
  try {
    const source = join(work, "source");
    mkdirSync(source);
    prepareSource(source);
    let raw = Infinity;
    let upload = Infinity;
    for (let round = 0; round < 3; round++) {
      const start = process.hrtime.bigint();
      await runShell(`tar -c -C '${source}' . | cat > /dev/null`);
      raw = Math.min(raw, ms(start));
      const storeDir = join(work, `store${round}`);
      const store = await new DiskArtifactStore(storeDir).init();
      const access = { store, limits: { step: NO_LIMIT, build: NO_LIMIT }, retentionMs: 3600_000, prefix: "staging-", untrusted: false, fileUrl: (c, p) => `${c}/${p}` };
      // The worker gets the files as hard links (no copy): only the Upload step is timed.
      const outcome = await runBenchStage(
        buildFileOf([
          ["ShellCommand", { command: `cp -al '${source}' out` }],
          ["Upload", { source: "out" }],
        ]),
        undefined,
        [],
        { services: { artifacts: access }, properties: PROPERTIES },
      );
      upload = Math.min(upload, outcome.steps[1].durationMs);
      rmSync(storeDir, { recursive: true, force: true });
    }
    const exec = await execFloor(work, source);
    const stored = await storeFloor(work, source);
    const mb = TOTAL / 1024 / 1024;
    const ratio = raw / upload;
    const rate = (took) => `${took.toFixed(0)} ms (${(mb / (took / 1000)).toFixed(0)} MB/s)`;
    return {
      name: `(u) Upload of ${SMALL + LARGE} files, ${mb.toFixed(0)} MB, from a local worker into the disk store`,
      lines: [
        `raw floor: tar -c source | cat > /dev/null   ${rate(raw)}`,
        `Upload step (tar stream → store):           ${rate(upload)}`,
        `  its parts alone: local exec of the tar     ${rate(exec)}`,
        `                   disk store put per file   ${rate(stored)}`,
        `throughput ratio upload/raw: ${ratio.toFixed(2)}× (target ≥ 0.5×)`,
      ],
      pass: ratio >= 0.5,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchUpload();
  console.log([result.name, ...result.lines.map((l) => `  ${l}`)].join("\n"));
}
