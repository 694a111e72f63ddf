/**
 * Eve's implicit `SetWorkerDistro` (`eve/steps/distro.py`): every stage reads
 * `/etc/os-release` on its worker and sets `distribution_id` and
 * `distribution_version_id` ("unknown" when the file or the key is missing).
 * A worker on the Eve host has Eve's own file, read directly and once per
 * process: no process, nor four thread-pool round trips, at the start of
 * every local stage (the host's distribution does not change under a
 * running Eve).
 */
import { readFile } from "node:fs/promises";
import type { Workspace } from "../provisioners/types.js";
import { readWorkerOutput } from "./read-worker-output.js";

const OS_RELEASE = "/etc/os-release";
/** A file of a few lines: more is not os-release. */
const MAX_BYTES = 64 * 1024;

export interface WorkerDistro {
  distribution_id: string;
  distribution_version_id: string;
}

let hostDistro: Promise<WorkerDistro> | undefined;

export async function readWorkerDistro(workspace: Workspace, signal: AbortSignal): Promise<WorkerDistro> {
  if (workspace.onEveHost) {
    hostDistro ??= readFile(OS_RELEASE, "utf8").then(
      (text) => parseOsRelease(text.slice(0, MAX_BYTES)),
      () => parseOsRelease(""),
    );
    return { ...(await hostDistro) };
  }
  const read = await readWorkerOutput(workspace, { argv: ["cat", OS_RELEASE] }, { workdir: workspace.builderDir, maxBytes: MAX_BYTES, signal });
  return parseOsRelease(read.exitCode === 0 ? read.stdout.toString("utf8") : "");
}

/** As Eve: each `KEY=VALUE` line with exactly one `=`, the value stripped of quotes. */
export function parseOsRelease(text: string): WorkerDistro {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const parts = line.trim().split("=");
    if (parts.length === 2) fields.set(parts[0] ?? "", (parts[1] ?? "").replace(/^"+|"+$/g, ""));
  }
  return { distribution_id: fields.get("ID") ?? "unknown", distribution_version_id: fields.get("VERSION_ID") ?? "unknown" };
}
