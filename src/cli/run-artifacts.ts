/**
 * `eve run`'s artifacts: a disk store in a local folder (`--artifacts DIR`,
 * default under the workspace base), whose containers hold plain files a
 * person can open; links and the `artifacts_*_url` properties point at them.
 * Each run takes the next build number of that folder, so runs of one commit
 * keep their containers apart (and GetArtifactsFromStage finds earlier ones).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DiskArtifactStore } from "../artifacts/disk-artifact-store.js";
import type { ArtifactsAccess } from "../engine/artifacts-access.js";
import { DEFAULT_ARTIFACTS_PREFIX, getArtifactsName } from "../engine/artifacts-properties.js";
import type { PropertyValues, StageOutcome } from "../engine/types.js";
import { formatSize } from "../engine/format-size.js";

export interface RunArtifacts {
  store: DiskArtifactStore;
  access: ArtifactsAccess;
  /** The build number this run takes (Eve's bootstrap number). */
  buildNumber: number;
}

const NO_LIMIT = { maxBytes: Infinity, maxFiles: Infinity };

export async function openRunArtifacts(dir: string): Promise<RunArtifacts> {
  const store = await new DiskArtifactStore(dir).init();
  const counter = join(dir, "eve-run-build-number");
  // Synchronous, as eve run's own files (run-build.ts).
  const last = Number.parseInt(readCounter(counter), 10);
  const buildNumber = (Number.isInteger(last) && last >= 0 ? last : 0) + 1;
  writeFileSync(counter, `${buildNumber}\n`);
  return {
    store,
    buildNumber,
    access: {
      store,
      limits: { step: NO_LIMIT, build: NO_LIMIT },
      // Kept until the person deletes them; `eve run` runs no garbage collection.
      retentionMs: 10 * 365 * 86_400_000,
      prefix: DEFAULT_ARTIFACTS_PREFIX,
      untrusted: false,
      fileUrl: (container, path) => pathToFileURL(join(store.filesDir(container), path)).href,
    },
  };
}

function readCounter(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "0";
  }
}

/**
 * The build's artifacts properties, pointing into the folder. A checkout
 * without a parsable remote is named `local:local:<folder name>`.
 */
export function withRunArtifactsProperties(properties: PropertyValues, artifacts: RunArtifacts, dir: string): PropertyValues {
  const named: PropertyValues = {
    git_host: "local",
    git_owner: "local",
    git_slug: basename(dir).replace(/[^A-Za-z0-9._-]+/g, "_") || "repository",
    ...properties,
  };
  const name = getArtifactsName(named, DEFAULT_ARTIFACTS_PREFIX);
  if (name === undefined || Number.parseFloat(String(named.eve_api_version)) < 0.2) return named;
  const url = pathToFileURL(artifacts.store.filesDir(name)).href;
  return { ...named, artifacts_name: name, artifacts_public_url: url, artifacts_private_url: url };
}

/** The lines after the final table: where each link of each stage points. */
export function formatRunArtifacts(outcomes: readonly StageOutcome[]): string {
  const lines: string[] = [];
  for (const stage of outcomes) {
    for (const step of stage.steps) {
      for (const link of step.links ?? []) lines.push(`  ${stage.name} / ${link.name} → ${link.url.startsWith("file:") ? fileURLToPath(link.url) : link.url}`);
    }
  }
  const total = outcomes.flatMap((stage) => stage.steps).findLast((step) => step.artifacts !== undefined)?.artifacts;
  if (total === undefined && lines.length === 0) return "";
  const where = total?.url?.startsWith("file:") ? fileURLToPath(total.url) : total?.url;
  const head = total === undefined ? "ARTIFACTS" : `ARTIFACTS  ${total.files} files, ${formatSize(total.bytes)} in ${where ?? total.container}`;
  return `\n${[head, ...lines].join("\n")}\n`;
}
