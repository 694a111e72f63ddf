/**
 * Fetches the repository at one commit into a directory on this host, for
 * stages that need its files (Git steps, image contexts, pod templates).
 * The installation token travels in an HTTP header passed through git's
 * environment (GIT_CONFIG_*), never in the URL, the argv or the logs.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { getStepType } from "../buildfile/step-catalog.js";
import type { StageDef } from "../buildfile/types.js";
import { workerNeedsCheckout } from "../provisioners/worker-types.js";

export interface CheckoutOptions {
  /** Clone URL, e.g. https://github.com/owner/repo.git */
  url: string;
  sha: string;
  /** Installation token; undefined for a public repository. */
  token: string | undefined;
  dir: string;
  signal: AbortSignal;
  /** A ref that holds `sha` (a fork's pull request: `refs/pull/<n>/head` of the base repository). */
  ref?: string;
}

/** Infrastructure failed fetching the repository. */
export class CheckoutError extends Error {
  override readonly name = "CheckoutError";
}

export async function checkoutRepository(options: CheckoutOptions): Promise<void> {
  await mkdir(options.dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0" };
  if (options.token !== undefined) {
    const basic = Buffer.from(`x-access-token:${options.token}`).toString("base64");
    Object.assign(env, { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
  }
  const git = (args: string[]) => runGit(args, options.dir, env, options.signal);
  await git(["init", "--quiet"]);
  await git(["remote", "add", "origin", options.url]);
  // The ref may have moved on since the build started: then ask for the commit itself.
  let fetched: string | undefined;
  if (options.ref !== undefined) {
    await git(["fetch", "--quiet", "--depth", "1", "origin", options.ref]);
    fetched = (await git(["rev-parse", "FETCH_HEAD"])).trim();
  }
  if (fetched !== options.sha) await git(["fetch", "--quiet", "--depth", "1", "origin", options.sha]);
  await git(["checkout", "--quiet", "--detach", "FETCH_HEAD"]);
}

/** Whether a stage reads files of the repository on the Eve host. */
export function needsCheckout(stage: StageDef): boolean {
  return workerNeedsCheckout(stage.worker) || stage.steps.some((step) => getStepType(step.type)?.needsCheckout === true);
}

function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env, signal, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve(String(stdout));
      reject(new CheckoutError(`git ${args[0] ?? ""} failed: ${String(stderr).trim().slice(-500) || error.message}`, { cause: error }));
    });
  });
}
