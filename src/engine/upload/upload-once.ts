/**
 * One try of an `Upload`: runs the archive command in the worker, stores what
 * its stdout carries as it arrives (the worker waits while the store writes),
 * and on any failure removes what this try stored.
 */
import { ArtifactLimitError } from "../../artifacts/artifact-errors.js";
import type { ContainerInfo, NewContainer } from "../../artifacts/artifact-store.js";
import { openArtifactUpload } from "../../artifacts/open-artifact-upload.js";
import type { ArtifactsAccess } from "../artifacts-access.js";
import { commandResult, type StepContext, type StepRun } from "../step-context.js";
import { createUploadTarReader, UploadArchiveError } from "./read-upload-tar.js";
import { REFUSAL_PREFIX, SOURCE_OUTSIDE_WORKSPACE, getUploadCommand } from "./upload-command.js";
import { getUploadLinks, type readUrlsParam } from "./upload-links.js";
import { formatSize } from "../format-size.js";

export interface UploadOnceOptions {
  access: ArtifactsAccess;
  container: string;
  /** Metadata of the container, should this upload create it. */
  meta: Omit<NewContainer, "expiresAt" | "untrusted">;
  /** The source directory in the worker (the command's workdir). */
  workdir: string;
  /** Links to stored files may not leave this directory of the worker ("/" for container workers). */
  root: string;
  urls: ReturnType<typeof readUrlsParam>;
  maxTimeMs: number;
}

/** Lines of the worker's stderr kept for the log. */
const MAX_STDERR_LINES = 200;

export async function uploadOnce(context: StepContext, options: UploadOnceOptions): Promise<StepRun> {
  const { access, container } = options;
  const info = await access.store.ensureContainer(container, {
    ...options.meta,
    expiresAt: new Date(Date.now() + access.retentionMs).toISOString(),
    untrusted: access.untrusted,
  });
  const refusal = refuseForeign(info, access, context.stage.build);
  if (refusal !== undefined) {
    context.log(refusal);
    return { result: "failure", exitCode: null, summary: refusal };
  }
  context.log(`$ upload ${options.workdir} to ${container}`);
  const upload = await openArtifactUpload(access.store, container, access.limits);
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  context.signal.addEventListener("abort", onCancel, { once: true });
  if (context.signal.aborted) stop.abort();
  const reader = createUploadTarReader(
    {
      put: (path, body) => upload.put(path, body, stop.signal),
      read: async (path) => (await access.store.readFile(container, path)).body,
    },
    context.log,
  );
  const stderr = createLineLogger(context.log);
  try {
    const exec = await context.workspace.exec(getUploadCommand(options.root), {
      workdir: options.workdir,
      env: context.options.env,
      timeoutMs: context.options.timeoutMs,
      maxTimeMs: options.maxTimeMs,
      killGraceMs: context.options.killGraceMs,
      usePty: false,
      signal: stop.signal,
      async onOutput(chunk, stream) {
        if (stream === "stderr") return stderr.write(chunk);
        await reader.write(chunk);
        // The store refused a file (a limit) or the archive is malformed: stop the worker's tar.
        if (reader.error) stop.abort();
      },
    });
    stderr.end();
    const ended = await reader.end().then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
    if (context.signal.aborted) return await failed(upload, context, "cancelled", "cancelled");
    // A limit (or a store refusal) stopped the worker's tar: that is the reason, not the kill.
    const stoppedByStore = "error" in ended && exec.killedBy === "cancel";
    if (!stoppedByStore && (exec.killedBy !== null || exec.exitCode !== 0)) {
      // The worker's own failure comes first: an archive it cut short is its consequence.
      const why = exec.exitCode === SOURCE_OUTSIDE_WORKSPACE ? "the source is outside the workspace" : commandResult(exec, context.options).summary ?? "failed";
      return await failed(upload, context, `archiving the source in the worker: ${why}`);
    }
    if ("error" in ended) return await failed(upload, context, describeFailure(ended.error));
    const { report } = ended;
    if (report.hostile > 0) return await failed(upload, context, `the worker's archive had ${report.hostile} entr${report.hostile === 1 ? "y" : "ies"} no honest tar writes; nothing kept`);
    const total = await getTotal(access, container);
    context.log(`Stored ${report.stored.length} file${report.stored.length === 1 ? "" : "s"} (${formatSize(report.bytes)}) in ${container}; the build's artifacts: ${total.files} files, ${formatSize(total.bytes)}`);
    const links = getUploadLinks(options.urls, report.stored).map((link) => ({ name: link.name, url: access.fileUrl(container, link.path) }));
    for (const link of links) context.log(`${link.name}: ${link.url}`);
    return { result: "success", exitCode: 0, links, artifacts: { container, ...total, url: access.fileUrl(container, "") } };
  } catch (error) {
    // The store or the worker failed (infrastructure): the step ends in exception, without this try's files.
    await upload.rollback().catch(() => undefined);
    throw error;
  } finally {
    context.signal.removeEventListener("abort", onCancel);
  }
}

/**
 * A fork's build may not write into a trusted container (it could name one in
 * `artifacts_name`), nor a trusted build into a fork's.
 */
function refuseForeign(info: ContainerInfo, access: ArtifactsAccess, build: string): string | undefined {
  if (info.untrusted !== access.untrusted) return `artifacts container ${info.name} belongs to ${info.untrusted ? "a build of a fork" : "a trusted build"}: this build cannot write into it`;
  if (access.untrusted && info.buildId !== build) return `artifacts container ${info.name} belongs to another build: a build of a fork writes only into its own`;
  return undefined;
}

async function failed(upload: { rollback(): Promise<void> }, context: StepContext, why: string, result: "failure" | "cancelled" = "failure"): Promise<StepRun> {
  await upload.rollback();
  if (result === "failure") context.log(`Upload failed: ${why}; the files of this try were removed`);
  return { result, exitCode: null, summary: why };
}

function describeFailure(error: unknown): string {
  if (error instanceof ArtifactLimitError || error instanceof UploadArchiveError) return error.message;
  throw error;
}

async function getTotal(access: ArtifactsAccess, container: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const file of access.store.listFiles(container)) {
    files += 1;
    bytes += file.size;
  }
  return { files, bytes };
}


/** The worker's stderr, line by line into the log (refusals first of all), bounded. */
function createLineLogger(log: (line: string) => void): { write(chunk: Buffer): void; end(): void } {
  const decoder = new TextDecoder();
  let pending = "";
  let lines = 0;
  const emit = (line: string) => {
    if (line === "") return;
    lines += 1;
    if (lines <= MAX_STDERR_LINES || line.startsWith(REFUSAL_PREFIX)) log(line);
    else if (lines === MAX_STDERR_LINES + 1) log("(more lines of the worker's stderr not shown)");
  };
  return {
    write(chunk) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) emit(part);
    },
    end() {
      emit(pending + decoder.decode());
      pending = "";
    },
  };
}
