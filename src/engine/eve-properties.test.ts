/**
 * Walks the reference's table of the properties Eve set automatically
 * (§1.9): a build with a Git step and a triggered stage, run by the real
 * engine on local workers, must end with every property Eve set where Eve set it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../test/helpers/engine-harness.js";
import { createBuildProperties } from "./build-properties.js";
import { parseOsRelease } from "./read-worker-distro.js";
import { createWorkerUuid } from "./worker-properties.js";

const base = createWorkspaceBase();
const repo = mkdtempSync(join(tmpdir(), "eve-props-repo-"));
afterAll(() => {
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
  rmSync(repo, { recursive: true, force: true });
});

/** Every stage, top and triggered (reference §1.9, rows by source). */
const EVERY_STAGE = [
  "git_host", "git_owner", "git_slug", "max_step_duration", "stage_name", "buildbot_version", "reason", "bootstrap_reason",
  "bootstrap", "product_version", "conf_path", "start_time", "eve_api_version", "commit_short_revision", "commit_timestamp",
  "git_reference", "git_repo", "virtual_builder_name", "virtual_builder_tags", "distribution_id", "distribution_version_id",
  "buildurl", "worker_uuid", "branch", "revision", "repository", "project", "buildnumber", "buildername", "builddir", "workername", "scheduler",
];
// Not here, on purpose:
// - artifacts_name, artifacts_public_url, artifacts_private_url: the artifacts issue (issue 12) sets them.
// - patcher_config: this Eve has no patcher file. builderid: Buildbot's database id of a builder; Eve has no builders.
// - master_builddir: `eve run` only (tested in test/integration/eve-run.test.ts); force_stage and extra properties are user input.
// - worker rows (docker_*, worker_*, openstack_*, multivm_prefix): the docker, kube_pod and openstack tests (test/integration);
//   fingerprint_/exists_<label>: the Docker* steps' tests.

describe("the properties Eve sets (reference §1.9)", () => {
  it("sets every row of the table on the top stage and on a triggered stage, and got_revision after Git", async () => {
    execFileSync("sh", ["-c", "git init -q -b main . && git -c user.email=e@x -c user.name=e commit -q --allow-empty -m one"], { cwd: repo });
    const revision = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
    const properties = {
      ...createBuildProperties({
        branch: "main", revision, repository: "https://github.com/scality/eve.git", buildNumber: 3, reason: "branch updated", stageName: "top",
        eveApiVersion: "0.2", maxStepDurationSec: 14400, commitTimestamp: "240102030405", confPath: "eve/main.yml",
      }),
      git_reference: repo,
    };
    const file = buildFileOf({
      top: [["Git", { repourl: "%(prop:git_reference)s" }], ["TriggerStages", { stage_names: ["child"] }]],
      child: [["ShellCommand", { command: "true" }]],
    });

    const { observer } = await runBuild(base.baseDir, file, "top", { properties, buildUrl: (run) => `https://eve.example.com/logs/${run}` });

    const [child, top] = observer.finished;
    for (const outcome of [top, child]) {
      const missing = EVERY_STAGE.filter((name) => outcome?.properties[name] === undefined || outcome.properties[name] === null);
      expect({ stage: outcome?.name, missing }).toEqual({ stage: outcome?.name, missing: [] });
    }
    expect(top?.properties).toMatchObject({ got_revision: revision, conf_path: "eve/main.yml", virtual_builder_tags: ["github", "scality", "eve", "top"], buildbot_version: "2.7.0" });
    expect(child?.properties).toMatchObject({ virtual_builder_tags: ["github", "scality", "eve", "child"], reason: "child (triggered by top)", buildurl: expect.stringMatching(/^https:\/\/eve\.example\.com\/logs\/r1\.\d+$/) });
    expect(top?.properties.start_time).toMatch(/^\d{10}\.\d+$/);
    expect(top?.properties.distribution_id).toBe(parseOsRelease(execFileSync("cat", ["/etc/os-release"], { encoding: "utf8" })).distribution_id);
    expect(top?.properties.worker_uuid).toMatch(/^e[0-9a-f]{28}$/);
  });

  it("accepts SetWorkerDistro written in a file", async () => {
    const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: [["SetWorkerDistro", {}]] }), "s");

    expect(outcome.steps).toMatchObject([{ name: "SetWorkerDistro", result: "success" }]);
    expect(observer.log("s")).toContain(`[info] distribution_id = ${String(outcome.properties.distribution_id)}\n`);
  });

  it("reads /etc/os-release as Eve's SetWorkerDistro did", () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')).toEqual({ distribution_id: "debian", distribution_version_id: "12" });
    expect(parseOsRelease("")).toEqual({ distribution_id: "unknown", distribution_version_id: "unknown" });
  });

  it("hashes the worker as Eve's create_hash did", () => {
    expect(createWorkerUuid("https://github.com/scality/eve.git", "w1")).toMatch(/^e[0-9a-f]{28}$/);
    expect(createWorkerUuid("https://github.com/scality/eve.git", "w1")).not.toBe(createWorkerUuid("https://github.com/scality/other.git", "w1"));
  });
});
