/**
 * `Git`: checks out `repourl` at the build's revision into the step's workdir
 * (default `build`), inside the workspace, with the workspace's own git.
 * `mode`/`method` as Buildbot (`full` + `clobber`/`fresh`/`clean`/`copy`,
 * or `incremental`), `shallow` (true = depth 1, or a depth), `retryFetch`
 * (one more fetch after a failed one), `submodules`. Sets `got_revision`.
 */
import { pythonStr, pythonTruthy } from "../../buildfile/python-values.js";
import { commandResult, type StepContext, type StepRun } from "../step-context.js";
import { StepConfigError } from "../step-options.js";

const CHECKOUT_SCRIPT = String.raw`
set -e
repourl=$1 rev=$2 branch=$3 depth=$4 mode=$5 method=$6 submodules=$7 retry=$8
fetch() {
  git fetch $depth origin "$@" || { [ "$retry" = 1 ] && echo "fetch failed: retrying" && git fetch $depth origin "$@"; }
}
if [ "$mode" = full ] && { [ "$method" = clobber ] || [ "$method" = copy ]; }; then
  find . -mindepth 1 -maxdepth 1 -exec rm -rf {} +
fi
[ -d .git ] || git init -q .
git remote remove origin 2>/dev/null || true
git remote add origin "$repourl"
if [ -n "$rev" ]; then
  if ! fetch "$rev"; then
    echo "cannot fetch $rev directly: fetching branches"
    if [ -n "$branch" ]; then fetch "$branch"; else fetch '+refs/heads/*:refs/remotes/origin/*'; fi
  fi
  git checkout -f -q "$rev"
else
  ref=$branch; [ -n "$ref" ] || ref=HEAD
  fetch "$ref"
  git checkout -f -q FETCH_HEAD
fi
if [ -n "$branch" ]; then git checkout -q -B "$branch"; fi
if [ "$mode" = full ] && [ "$method" = fresh ]; then git clean -f -f -d -x -q; fi
if [ "$mode" = full ] && [ "$method" = clean ]; then git clean -f -f -d -q; fi
if [ "$submodules" = 1 ]; then git submodule sync -q && git submodule update --init --recursive --force; fi
echo "checked out $(git rev-parse HEAD)"
`;

export async function gitStep(context: StepContext): Promise<StepRun> {
  const { params, properties } = context;
  const repourl = params.repourl ?? params.repo_url;
  if (typeof repourl !== "string" || repourl === "") throw new StepConfigError("Git needs 'repourl' (usually '%(prop:git_reference)s')");
  const revision = textOf(properties.get("revision"));
  const branch = textOf(params.branch ?? properties.get("branch"));
  const mode = textOf(params.mode) || "incremental";
  const method = textOf(params.method) || (mode === "full" ? "fresh" : "");
  if (mode !== "full" && mode !== "incremental") throw new StepConfigError(`Git mode must be 'full' or 'incremental', not '${mode}'`);
  const shallow = params.shallow;
  const depth = typeof shallow === "number" && shallow > 0 ? Math.trunc(shallow) : pythonTruthy(shallow) ? 1 : 0;
  const args = [
    repourl,
    revision,
    branch,
    depth > 0 ? `--depth=${depth}` : "",
    mode,
    method,
    pythonTruthy(params.submodules) ? "1" : "0",
    pythonTruthy(params.retryFetch) ? "1" : "0",
  ];
  const what = [revision || branch || "HEAD", depth > 0 ? `depth ${depth}` : "", mode, method].filter(Boolean).join(", ");
  const run = await context.exec({ argv: ["sh", "-c", CHECKOUT_SCRIPT, "git-checkout", ...args] }, { display: `git checkout ${repourl} (${what})` });
  const outcome = commandResult(run, context.options);
  if (outcome.result !== "success") return outcome;
  const head = await context.exec({ argv: ["git", "rev-parse", "HEAD"] }, { captureStdout: true });
  if (head.exitCode === 0 && head.stdout) properties.set("got_revision", head.stdout.trim());
  return outcome;
}

function textOf(value: unknown): string {
  return value === undefined || value === null ? "" : pythonStr(value);
}
