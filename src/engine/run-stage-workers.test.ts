// runStage with its workers: cancellation, a worker type without provisioner, Git checkouts, and
// the preparation steps a worker brings (run-stage.test.ts has the steps' own semantics).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../test/helpers/engine-harness.js";
import { SECRET_MASK } from "../logs/secret-masker.js";
import { LocalProvisioner } from "../provisioners/local/local-provisioner.js";
import type { PreparationStep, Provisioner, Workspace } from "../provisioners/types.js";

const base = createWorkspaceBase();
afterAll(() => {
  // Every stage tore its builder directory down.
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
});

const ok = (params: Record<string, unknown> = {}): [string, Record<string, unknown>] => ["ShellCommand", { command: "true", ...params }];

describe("runStage: cancellation and workers", () => {
  it("cancel kills the running step, skips the rest, tears down: cancelled", async () => {
    const controller = new AbortController();
    // Longer than the test's timeout: only the cancel can end it in time.
    const buildFile = buildFileOf({ top: [["TriggerStages", { stage_names: ["child"] }], ok()], child: [["ShellCommand", { command: "sleep 600" }], ok({ alwaysRun: true })] });
    setTimeout(() => controller.abort(), 500);

    const { outcome, observer } = await runBuild(base.baseDir, buildFile, "top", { signal: controller.signal });

    expect(outcome.result).toBe("cancelled");
    expect(outcome.steps.map((s) => s.result)).toEqual(["cancelled", "skipped"]);
    expect(observer.events).toContain("end child cancelled");
    expect(base.leftovers()).toEqual([]);
  });

  it("a worker type without a provisioner is an exception naming it", async () => {
    const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: { worker: { type: "openstack", image: "i", flavor: "f" }, steps: [ok()] } }), "s");

    expect(outcome).toMatchObject({ result: "exception", summary: "exception: this Eve has no 'openstack' workers" });
  });
});

describe("runStage: Git", () => {
  it("checks out the build's revision from repourl, shallow, and sets got_revision", async () => {
    const repo = mkdtempSync(join(tmpdir(), "eve-git-test-"));
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "f.txt"), "one\n");
    git("add", ".");
    git("commit", "-qm", "one");
    const first = git("rev-parse", "HEAD");
    writeFileSync(join(repo, "f.txt"), "two\n");
    git("commit", "-qam", "two");
    try {
      const buildFile = buildFileOf({ s: [["Git", { repourl: "%(prop:git_reference)s", shallow: true, mode: "full", method: "clobber" }], ["ShellCommand", { command: "cat f.txt; git log --oneline | wc -l" }]] });

      const { outcome, observer } = await runBuild(base.baseDir, buildFile, "s", { properties: { git_reference: repo, revision: first, branch: "main" } });

      expect(outcome.steps.map((s) => s.result)).toEqual(["success", "success"]);
      expect(outcome.properties.got_revision).toBe(first);
      expect(observer.log("s")).toMatch(/one\n\s*1\n/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("runStage: a worker's preparation steps (openstack init.sh, requirements.sh)", () => {
  /** Local workers whose workspaces carry these preparation steps. */
  function preparing(steps: PreparationStep[]): Map<string, Provisioner> {
    const local = new LocalProvisioner({ baseDir: base.baseDir });
    const provisioner: Provisioner = {
      type: "local",
      async spawn(spec, context) {
        const workspace = await local.spawn(spec, context);
        const prepared: Workspace = {
          id: workspace.id,
          builderDir: workspace.builderDir,
          preparation: steps,
          exec: (command, options) => workspace.exec(command, options),
          teardown: () => workspace.teardown(),
        };
        return prepared;
      },
      close: () => local.close(),
    };
    return new Map([["local", provisioner]]);
  }

  it("runs them first, as steps of their own with their output, then the build's steps", async () => {
    const steps: PreparationStep[] = [{ name: "init.sh", run: async (onLine) => (await onLine("initialised s3cr3t"), { exitCode: 0 }) }];

    const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: [ok({ name: "build" })] }), "s", { provisioners: preparing(steps), secrets: { token: "s3cr3t" } });

    expect(outcome.result).toBe("success");
    expect(outcome.steps.map((step) => [step.name, step.result])).toEqual([["init.sh", "success"], ["build", "success"]]);
    expect(observer.events).toEqual(["start s", "step s/init.sh", "done s/init.sh success", "step s/build", "done s/build success", "end s success"]);
    expect(observer.log("s")).toContain(`initialised ${SECRET_MASK}`);
  });

  it("a failing one fails the stage, and the build's steps do not run but alwaysRun ones", async () => {
    const steps: PreparationStep[] = [{ name: "requirements.sh", run: async () => ({ exitCode: 3, summary: "requirements.sh failed 5 times (last exit code 3)" }) }];

    const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: [ok({ name: "build" }), ok({ name: "final", alwaysRun: true })] }), "s", { provisioners: preparing(steps) });

    expect(outcome).toMatchObject({ result: "failure", summary: "failure: step 'requirements.sh' requirements.sh failed 5 times (last exit code 3)" });
    expect(outcome.steps.map((step) => [step.name, step.result])).toEqual([["requirements.sh", "failure"], ["build", "skipped"], ["final", "success"]]);
  });
});
