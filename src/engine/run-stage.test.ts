import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildFileOf, createWorkspaceBase, runBuild } from "../../test/helpers/engine-harness.js";
import { SECRET_MASK } from "../logs/secret-masker.js";

const base = createWorkspaceBase();
afterAll(() => {
  // Every stage tore its builder directory down.
  expect(base.leftovers()).toEqual([]);
  base.cleanup();
});

const ok = (params: Record<string, unknown> = {}): [string, Record<string, unknown>] => ["ShellCommand", { command: "true", ...params }];
const fail = (params: Record<string, unknown> = {}): [string, Record<string, unknown>] => ["ShellCommand", { command: "exit 1", ...params }];

async function results(steps: [string, Record<string, unknown>][], properties: Record<string, unknown> = {}) {
  const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s", { properties });
  return { stage: outcome.result, steps: outcome.steps.map((s) => s.result) };
}

describe("runStage: Buildbot result semantics", () => {
  it.each([
    ["all pass", [ok(), ok()], "success", ["success", "success"]],
    ["a failure flunks but does not halt", [fail(), ok()], "failure", ["failure", "success"]],
    ["haltOnFailure stops all but alwaysRun", [fail({ haltOnFailure: true }), ok(), ok({ alwaysRun: true })], "failure", ["failure", "skipped", "success"]],
    ["string 'False' is true (Python truthiness)", [fail({ haltOnFailure: "False" }), ok()], "failure", ["failure", "skipped"]],
    ["flunkOnFailure false ignores a failure", [fail({ flunkOnFailure: false })], "success", ["failure"]],
    ["warnOnFailure without flunk gives warnings", [fail({ flunkOnFailure: false, warnOnFailure: true })], "warnings", ["failure"]],
    ["flunk wins over warn", [fail({ warnOnFailure: true })], "failure", ["failure"]],
    ["doStepIf false skips", [ok({ doStepIf: false }), ok()], "success", ["skipped", "success"]],
    ["doStepIf yes word runs", [fail({ doStepIf: "yes" })], "failure", ["failure"]],
    ["doStepIf property with default", [fail({ doStepIf: "%(prop:run_it:-false)s" })], "success", ["skipped"]],
    ["doStepIf that is not yes/no is an exception, which halts", [ok({ doStepIf: "maybe" }), ok(), ok({ alwaysRun: true })], "exception", ["exception", "skipped", "success"]],
    ["doStepIf with two lookups is an exception", [ok({ doStepIf: "%(prop:a)s%(prop:b)s" })], "exception", ["exception"]],
    ["a missing secret is an exception", [ok({ command: "echo %(secret:nope)s" })], "exception", ["exception"]],
    ["a bad format is an exception", [ok({ command: "date +%Y %(prop:x)s" })], "exception", ["exception"]],
    ["timeout over the maximum is an exception", [ok({ timeout: 99999 })], "exception", ["exception"]],
    ["a step type whose service is not configured fails", [["GetArtifactsFromStage", { stage: "x", property: "p" }], ok()], "failure", ["failure", "success"]],
    ["Upload halts the stage when it fails, whatever haltOnFailure says", [["Upload", { source: "x", haltOnFailure: false }], ok(), ok({ alwaysRun: true })], "failure", ["failure", "skipped", "success"]],
    ["an unknown step type is an exception", [["NoSuchStep", {}], ok()], "exception", ["exception", "skipped"]],
    // Buildbot: a warnings step counts for the build only with warnOnWarnings (default false).
    ["JUnitShellCommand without reports warns, which the stage ignores", [["JUnitShellCommand", { command: "true" }]], "success", ["warnings"]],
    ["JUnitShellCommand with warnOnWarnings warns the stage", [["JUnitShellCommand", { command: "true", warnOnWarnings: true }]], "warnings", ["warnings"]],
    ["MasterShellCommand is refused unless allowed", [["MasterShellCommand", { command: "true" }]], "failure", ["failure"]],
    ["no steps", [], "success", []],
  ] as const)("%s", async (_title, steps, stage, stepResults) => {
    const got = await results(steps as unknown as [string, Record<string, unknown>][]);

    expect(got).toEqual({ stage, steps: stepResults });
  });

  it("ends a build whose only problem is an unconfigured step type in failure, saying what to configure", async () => {
    const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: [ok({ name: "build" }), ["DockerPush", { name: "push", label: "app", image: "example/app:1" }]] }), "s");

    const line = "DockerPush cannot run on this Eve: it needs the operator's Docker Engine for Docker* steps, which the operator enables with EVE_DOCKER_STEPS=on (never for pull requests from forks)";
    expect(outcome.result).toBe("failure");
    expect(outcome.steps[1]).toMatchObject({ name: "push", result: "failure", summary: line });
    expect(outcome.summary).toBe(`failure: step 'push' ${line}`);
    expect(observer.log("s")).toContain(`[info] ${line}\n`);
  });

  it("hideStepIf hides a step that still runs and counts, read once it is done", async () => {
    const steps: [string, Record<string, unknown>][] = [
      ["ShellCommand", { name: "shown", command: "true" }],
      ["SetProperty", { name: "quiet", property: "hide", value: "yes", hideStepIf: "%(prop:hide:-no)s" }],
      ["ShellCommand", { name: "hidden failure", command: "exit 2", hideStepIf: true }],
    ];

    const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s");

    expect(outcome.steps.map((s) => [s.name, s.result, s.hidden ?? false])).toEqual([["shown", "success", false], ["quiet", "success", true], ["hidden failure", "failure", true]]);
    expect(outcome.result).toBe("failure");
  });

  it("runs a usePTY step under a real terminal on a local worker, and still kills it on timeout", async () => {
    const steps: [string, Record<string, unknown>][] = [
      ["ShellCommand", { name: "pty", command: "test -t 1 && test -t 0 && echo is-a-tty; exit 4", usePTY: true }],
      ["ShellCommand", { name: "plain", command: "test -t 1 || echo not-a-tty" }],
      ["ShellCommand", { name: "stuck", command: ["sleep", "31.5"], usePTY: true, timeout: 1 }],
    ];

    const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s", { settings: { killGraceSec: 1 } });

    expect(outcome.steps.map((s) => [s.name, s.result, s.exitCode])).toEqual([["pty", "failure", 4], ["plain", "success", 0], ["stuck", "failure", null]]);
    expect(observer.log("s")).toMatch(/is-a-tty\r?\n/);
    expect(observer.log("s")).toContain("not-a-tty\n");
    expect(outcome.steps[2]?.durationMs).toBeLessThan(10_000);
    // The terminal's hangup ends what the step started in it.
    await expect.poll(() => execFileSync("sh", ["-c", "pgrep -f 'sleep 31[.]5' || true"], { encoding: "utf8" })).toBe("");
  });

  it("shows each of a step's logfiles in the stage log once it is done, masked, a missing one said unless lazylogfiles", async () => {
    const steps: [string, Record<string, unknown>][] = [
      ["ShellCommand", { name: "server", command: "mkdir -p logs && printf 'started\\ntoken=%(secret:tok)s' > logs/server.log; exit 1", logfiles: { server: "logs/server.log", gone: { filename: "logs/none.log", follow: true } } }],
      ["ShellCommand", { name: "lazy", command: "true", logfiles: { gone: "logs/none.log" }, lazylogfiles: true }],
    ];

    const { outcome, observer } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s", { secrets: { tok: "hunter22" } });

    expect(outcome.steps.map((s) => s.result)).toEqual(["failure", "success"]);
    const log = observer.log("s");
    expect(log).toContain(`[info] ── logfile server: logs/server.log ──\nstarted\ntoken=${SECRET_MASK}\n`);
    expect(log).toContain("[info] ── logfile gone: logs/none.log not found ──\n");
    expect(log.match(/logfile gone/g)).toHaveLength(1);
    expect(log).not.toContain("hunter22");
  });

  it("doStepIf reads the property with strtobool", async () => {
    const got = await results([fail({ doStepIf: "%(prop:run_it:-false)s" })], { run_it: "On" });

    expect(got.steps).toEqual(["failure"]);
  });

  it("reports exact exit codes and a summary", async () => {
    const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: [["ShellCommand", { name: "tests", command: "exit 3" }]] }), "s");

    expect(outcome.steps[0]).toMatchObject({ name: "tests", exitCode: 3, summary: "exited 3" });
    expect(outcome.summary).toBe("failure: step 'tests' exited 3");
  });

  it("names in its summary the step that made the stage's final result", async () => {
    const steps: [string, Record<string, unknown>][] = [
      ["ShellCommand", { name: "lint", command: "exit 1", flunkOnFailure: false, warnOnFailure: true }],
      ["ShellCommand", { name: "tests", command: "exit 2" }],
    ];

    const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s");

    expect(outcome.summary).toBe("failure: step 'tests' exited 2");
  });

  it("kills a step after `timeout` seconds without output, and after `maxTime` in total", async () => {
    const { outcome } = await runBuild(
      base.baseDir,
      buildFileOf({ s: [["ShellCommand", { command: "echo hi; sleep 20", timeout: 1 }], ["ShellCommand", { command: "while :; do echo x; sleep 0.1; done", maxTime: 1 }]] }),
      "s",
    );

    expect(outcome.steps.map((s) => [s.result, s.summary])).toEqual([
      ["failure", "timed out after 1 s without output"],
      ["failure", "killed after maxTime 1 s"],
    ]);
  });
});

describe("runStage: names, env, workdir, properties", () => {
  it("names unnamed steps as Buildbot 2.7 and Eve did, cuts names to 50 characters and keeps them unique", async () => {
    const long = `${"n".repeat(45)} %(prop:x)s tail`;
    const steps: [string, Record<string, unknown>][] = [
      ["ShellCommand", { command: "echo a" }],
      ["ShellCommand", { command: ["echo", "a"] }],
      ["ShellCommand", { name: long, command: "true" }],
      ["SetProperty", { property: "p", value: 1 }],
      ["SetPropertyFromCommand", { property: "q", command: "echo q" }],
      ["SetProperties", { properties: { r: 1 } }],
      ["DockerPush", { label: "app", image: "x/app:1" }],
      ["JUnitShellCommand", { command: "true" }],
    ];

    const { outcome } = await runBuild(base.baseDir, buildFileOf({ s: steps }), "s", { properties: { x: "X" } });

    expect(outcome.steps.map((s) => s.name)).toEqual(["shell", "shell_1", `${"n".repeat(45)} `, "SetProperty", "setproperty", "SetProperties", "[app] push", "junit_shell"]);
  });

  it("interpolates env and workdir, relative to the builder directory", async () => {
    const { outcome, observer } = await runBuild(
      base.baseDir,
      buildFileOf({ s: [["ShellCommand", { command: 'echo "dir=$(pwd) v=$V n=$N"; echo "bd=%(prop:builddir)s"', workdir: "sub/%(prop:x)s", env: { V: "%(prop:x)s-v", N: 7 } }]] }),
      "s",
      { properties: { x: "X" } },
    );

    const builddir = String(outcome.properties.builddir);
    expect(observer.log("s")).toContain(`dir=${builddir}/sub/X v=X-v n=7\nbd=${builddir}\n`);
  });

  it("sets properties from steps and commands, read by later steps", async () => {
    const { outcome, observer } = await runBuild(
      base.baseDir,
      buildFileOf({
        s: [
          ["SetProperty", { property: "a", value: "A" }],
          ["SetProperties", { properties: { b: "B", c: ["x", 1] } }],
          ["SetPropertyFromCommand", { property: "d", command: "printf '  %(prop:a)s-out \\n'; echo err >&2" }],
          ["SetPropertyFromCommand", { property: "raw", command: "printf ' r '", strip: false }],
          ["EveProperty", { property: "forced", value: "from yaml" }],
          ["EvePropertyFromCommand", { property: "e", command: "echo computed" }],
          ["ShellCommand", { command: "echo %(prop:a)s %(prop:b)s %(prop:c)s %(prop:d)s %(prop:forced)s %(prop:e)s" }],
        ],
      }),
      "s",
      { properties: { forced: "by user" }, forced: ["forced"] },
    );

    expect(outcome.properties).toMatchObject({ a: "A", b: "B", c: ["x", 1], d: "A-out", raw: " r ", forced: "by user", e: "computed" });
    expect(outcome.steps.map((s) => s.result)).toEqual(["success", "success", "success", "success", "skipped", "success", "success"]);
    expect(observer.log("s")).toContain("A B ['x', 1] A-out by user computed\n");
  });

  // Buildbot's commandComplete returns on cmd.didFail(): the default of a later lookup must still apply.
  it("a failed SetPropertyFromCommand sets nothing", async () => {
    const { outcome, observer } = await runBuild(
      base.baseDir,
      buildFileOf({
        s: [
          ["SetPropertyFromCommand", { property: "v", command: "echo partial; exit 2", flunkOnFailure: false }],
          ["EvePropertyFromCommand", { property: "w", command: "echo half; exit 3", flunkOnFailure: false }],
          ["ShellCommand", { command: "echo v=%(prop:v:-unset)s w=%(prop:w:-unset)s" }],
        ],
      }),
      "s",
    );

    expect(outcome.steps.map((s) => s.result)).toEqual(["failure", "failure", "success"]);
    expect(outcome.properties).not.toHaveProperty("v");
    expect(outcome.properties).not.toHaveProperty("w");
    expect(observer.log("s")).toContain("v=unset w=unset\n");
  });

  it("masks secrets in output and command lines", async () => {
    const { observer } = await runBuild(
      base.baseDir,
      buildFileOf({ s: [["ShellCommand", { command: "echo token=%(secret:tok)s; printf %%s \"$T\" | base64", env: { T: "%(secret:tok)s" } }]] }),
      "s",
      { secrets: { tok: "hunter22" } },
    );

    const log = observer.log("s");
    expect(log).not.toContain("hunter22");
    expect(log).not.toContain(Buffer.from("hunter22").toString("base64").slice(0, 10));
    expect(log).toContain(`token=${SECRET_MASK}`);
  });
});

describe("runStage: TriggerStages", () => {
  const marks = mkdtempSync(join(tmpdir(), "eve-meet-"));
  afterAll(() => rmSync(marks, { recursive: true, force: true }));
  /** Shell that leaves mark `own` and waits (20 s at most) for mark `other`. */
  const meet = (own: string, other: string): string =>
    `touch ${marks}/${own}; for i in $(seq 200); do [ -e ${marks}/${other} ] && break; sleep 0.1; done; [ -e ${marks}/${other} ]`;

  it("runs children in parallel on fresh workers with a copy of the properties; the result is the worst child", async () => {
    const buildFile = buildFileOf({
      top: [["SetProperty", { property: "from_top", value: "T" }], ["TriggerStages", { name: "children", stage_names: ["a", "b"] }], ["ShellCommand", { name: "after", command: "true" }]],
      // Each child waits for the other's mark: run one after the other, they would never meet.
      a: [["ShellCommand", { command: `${meet("a", "b")} && echo a=%(prop:from_top)s %(prop:stage_name)s; pwd` }]],
      b: [["ShellCommand", { command: `${meet("b", "a")} && echo 'reason=%(prop:reason)s'; exit 2` }]],
    });

    const { outcome, observer } = await runBuild(base.baseDir, buildFile, "top", { properties: { reason: "top (triggered by bootstrap)" } });

    expect(outcome.steps.map((s) => [s.name, s.result])).toEqual([["SetProperty", "success"], ["children", "failure"], ["after", "success"]]);
    expect(outcome.result).toBe("failure");
    expect(observer.log("a")).toContain("a=T a\n");
    expect(observer.log("b")).toContain("reason=b (triggered by top)\n");
    expect(observer.finished.map((o) => o.name).sort()).toEqual(["a", "b", "top"]);
  });

  it("does not wait with waitForFinish false", async () => {
    const buildFile = buildFileOf({ top: [["TriggerStages", { stage_names: ["slow"], waitForFinish: false }]], slow: [["ShellCommand", { command: "sleep 0.3; exit 1" }]] });

    const { outcome, observer } = await runBuild(base.baseDir, buildFile, "top");

    expect(outcome.result).toBe("success");
    expect(observer.events).toContain("end slow failure");
  });

  it("names a missing stage", async () => {
    const { outcome } = await runBuild(base.baseDir, buildFileOf({ top: [["TriggerStages", { stage_names: ["ghost"] }]] }), "top");

    expect(outcome.steps[0]).toMatchObject({ result: "exception", summary: "TriggerStages: no stage named 'ghost' in the build file" });
  });
});
