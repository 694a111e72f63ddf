import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getSchemaStepTypes } from "./build-file-schema.js";
import { formatMessage } from "./format-message.js";
import { KNOWN_STEP_TYPES } from "./step-catalog.js";
import { validateBuildFile } from "./validate-build-file.js";

const FIXTURES = join(import.meta.dirname, "../../test/fixtures/buildfiles");

const lint = (text: string): string[] => validateBuildFile(text, "main.yml").messages.map(formatMessage);
const errors = (text: string): string[] => lint(text).filter((line) => line.includes(": error: "));

const BASE = "branches:\n  default:\n    stage: s\nstages:\n  s:\n    worker:\n      type: local\n    steps:\n";

/** The fixtures written after the semantics real Eve files rely on (each file's header says which). */
const REAL_WORLD = ["merge-keys.yml", "percent-and-properties.yml", "stages-and-workers.yml", "missing-post-merge-stage.yml"];
const read = (name: string): string => readFileSync(join(FIXTURES, name), "utf8");
const paramsOf = (text: string, stage: string): Record<string, unknown>[] =>
  validateBuildFile(text, "f").buildFile?.stages.get(stage)?.steps.map((step) => step.params) ?? [];

describe("validateBuildFile on files shaped like real ones", () => {
  it.each(REAL_WORLD)("%s has no error", (name) => {
    const result = validateBuildFile(read(name), name);

    expect(result.messages.filter((message) => message.severity === "error").map(formatMessage)).toEqual([]);
    expect(result.buildFile?.stages.size).toBeGreaterThan(0);
  });

  // Expected values are what PyYAML's safe_load gives for the same file.
  it("merges as PyYAML: own keys win, the first of a list wins, the later of two << keys wins", () => {
    const unit = paramsOf(read("merge-keys.yml"), "unit");

    expect(unit[0]).toEqual({ name: "lint", command: "make lint", haltOnFailure: true });
    expect(unit[1]).toEqual({
      name: "lint with a cache",
      command: "make lint",
      haltOnFailure: true,
      env: { HTTP_PROXY: "http://proxy.invalid:3128", CACHE_DIR: "/var/cache/eve", SHARED: "from-proxy" },
    });
    expect(unit[2]?.env).toEqual({ HTTP_PROXY: "http://proxy.invalid:3128", CACHE_DIR: "/var/cache/eve", SHARED: "from-cache", EXTRA: "yes" });
    expect(unit[3]?.env).toEqual({ API_TOKEN: "%(secret:api_token)s", SHARED: "own" });
    expect(unit[4]).toEqual({ logfiles: { server: { filename: "/tmp/server.log", follow: true } }, name: "start the server", command: "./server.sh" });
  });

  it("merges a worker anchor and overrides its vars", () => {
    const { buildFile } = validateBuildFile(read("merge-keys.yml"), "f");
    const env = { HTTP_PROXY: "http://proxy.invalid:3128", SHARED: "from-proxy", MODE: "fast" };

    expect(buildFile?.stages.get("unit")?.worker).toEqual({ type: "kube_pod", path: "eve/workers/pod.yaml", images: { worker: "eve/workers/build" }, vars: { memory: "2Gi", env } });
    expect(buildFile?.stages.get("functional")?.worker).toMatchObject({ type: "kube_pod", vars: { memory: "4Gi", env } });
  });

  it("keeps percents and property templates as written, for the steps to interpolate", () => {
    const steps = paramsOf(read("percent-and-properties.yml"), "checks");

    expect(steps.map((step) => step.name)).toEqual([
      "fetch",
      "read the version",
      "literal percents",
      "defaults and ternaries",
      "only when asked",
      "string boolean condition",
      "literal boolean condition",
      "a shell modulo",
    ]);
    expect(steps[2]?.command).toBe("date +%%Y-%%m-%%d && printf '100%%\\n' && git log -1 --format='%%H %%(refname)'");
    expect(steps[3]?.env).toEqual({
      STEP_NAME: "%(prop:conformance:?|conformance-tests|nodes-%(prop:os:-centos-7)s)s",
      TOKEN: "%(secret:registry_token)s",
      BUILD: "%(prop:bootstrap)s-%(prop:buildnumber)s",
    });
    expect(steps.slice(4, 7).map((step) => step.doStepIf)).toEqual(["%(prop:run_e2e:-false)s", "yes", true]);
  });

  it("checks bare percents of the whole file only until a property was formatted, as Eve's Python does", () => {
    const text = read("percent-and-properties.yml");

    expect(errors(text)).toEqual([]);
    expect(errors(`# $(( 42 % 10 ))\n${text}`)).toEqual(["main.yml:1:10: error: unsupported format character ' ' (0x20): write %% for a literal %"]);
  });

  it("reads version 0.1, stage names with spaces, unnamed and same-named steps, every worker type", () => {
    const { buildFile } = validateBuildFile(read("stages-and-workers.yml"), "f");

    expect(buildFile?.version).toBe("0.1");
    expect(buildFile?.branches).toEqual([{ pattern: "default", stage: "pre merge" }]);
    expect([...(buildFile?.stages.keys() ?? [])]).toEqual(["pre merge", "unit tests", "build image", "integration on vm", "nightly", "pinned image"]);
    expect(buildFile?.stages.get("pre merge")?.simultaneousBuilds).toBe(2);
    expect(buildFile?.stages.get("unit tests")?.steps.map((step) => step.params.name)).toEqual([undefined, undefined, "test", "test", undefined]);
    expect(buildFile?.stages.get("unit tests")?.steps[2]?.params.timeout).toBe(3600);
    expect([...(buildFile?.stages.values() ?? [])].map((stage) => stage.worker.type)).toEqual(["local", "docker", "kube_pod", "openstack", "openstack", "docker"]);
    expect(buildFile?.stages.get("build image")?.worker).toMatchObject({
      images: { worker: "eve/workers/builder", "docker-builder": { context: ".", dockerfile: "eve/workers/builder/Dockerfile.dind" }, tests: { context: "tests" } },
    });
  });

  it("warns that a branch pattern leads to a missing stage", () => {
    const result = validateBuildFile(read("missing-post-merge-stage.yml"), "ui.yml");

    expect(result.messages.map(formatMessage)).toEqual([
      "ui.yml:8:12: warning: stage 'post-merge' is not defined in stages: a build of a branch matching 'development/*' fails",
    ]);
  });
});

describe("validateBuildFile builds the BuildFile", () => {
  it("reads the valid fixture: version, split branches in order, merged env, untouched params", () => {
    const { buildFile, messages } = validateBuildFile(readFileSync(join(FIXTURES, "valid.yml"), "utf8"), "valid.yml");

    expect(messages).toEqual([]);
    expect(buildFile?.version).toBe("0.2");
    expect(buildFile?.branches).toEqual([
      { pattern: "feature/*", stage: "pre-merge" },
      { pattern: "bugfix/*", stage: "pre-merge" },
      { pattern: "default", stage: "pre-merge" },
    ]);
    const steps = buildFile?.stages.get("pre-merge")?.steps ?? [];
    expect(steps.map((step) => step.type)).toEqual(["Git", "ShellCommand", "TriggerStages"]);
    expect(steps[1]?.params).toMatchObject({ command: 'echo "%(prop:branch)s" && date +%%Y', env: { A: "1", B: "2" } });
    expect(steps[1]?.path).toBe("/stages/pre-merge/steps/1/ShellCommand");
    expect(buildFile?.stages.get("unit")?.worker).toEqual({ type: "docker", path: "eve/workers/unit" });
  });

  it.each([
    ["version: 0.2\n", "0.2"],
    ["version: 1\n", "1"],
    ["version: 1.0\n", "1.0"],
    ["version: '0.2'\n", "0.2"],
    ["", "0.1"],
  ])("version from %j is %j", (line, expected) => {
    expect(validateBuildFile(`${line}${BASE}      - ShellCommand: {command: ls}\n`, "f").buildFile?.version).toBe(expected);
  });

  it("keeps a repeated pattern at its first place with the later stage", () => {
    const text = "branches:\n  a, b:\n    stage: s\n  c, a:\n    stage: t\nstages:\n  s: {worker: {type: local}, steps: []}\n  t: {worker: {type: local}, steps: []}\n";

    expect(validateBuildFile(text, "f").buildFile?.branches).toEqual([
      { pattern: "a", stage: "t" },
      { pattern: "b", stage: "s" },
      { pattern: "c", stage: "t" },
    ]);
  });

  it("keeps stage names like __proto__ in the Map", () => {
    const { buildFile, messages } = validateBuildFile(readFileSync(join(FIXTURES, "evil-proto.yml"), "utf8"), "evil-proto.yml");

    expect(messages.filter((message) => message.severity === "error")).toEqual([]);
    expect([...(buildFile?.stages.keys() ?? [])]).toEqual(["__proto__", "constructor"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("validateBuildFile reports located problems", () => {
  it.each([
    ["empty.yml", /^empty.yml:1:1: error: the build file is empty/],
    ["malformed.yml", /^malformed.yml:\d+:\d+: error: /],
    ["evil-alias-bomb.yml", /^evil-alias-bomb.yml:\d+:\d+: error: document is too large once aliases are expanded/],
  ])("%s", (name, expected) => {
    const result = validateBuildFile(readFileSync(join(FIXTURES, name), "utf8"), name);

    expect(result.buildFile).toBeUndefined();
    expect(formatMessage(result.messages[0]!)).toMatch(expected);
  });

  it.each([
    ["stages: {}\n", "main.yml:1:1: error: missing required key 'branches'"],
    ["- a\n", "main.yml:1:1: error: the build file must define a mapping (with 'branches' and 'stages')"],
    [`${BASE.replace("local", "lcal")}      - ShellCommand: {command: ls}\n`, "main.yml:7:13: error: stages.s.worker.type must be one of local, docker, kube_pod, openstack"],
    [`${BASE.replace("type: local", "path: x")}      - ShellCommand: {command: ls}\n`, "main.yml:6:5: error: stages.s.worker: missing required key 'type'"],
    [`${BASE.replace("local", "docker")}      - ShellCommand: {command: ls}\n`, "main.yml:6:5: error: stages.s.worker: a docker worker needs 'path' or 'image'"],
    [`${BASE.replace("local", "kube_pod")}      - ShellCommand: {command: ls}\n`, "main.yml:6:5: error: stages.s.worker: missing required key 'path'"],
    [`${BASE}      - ShellCommand: {command: ls, timeout: soon}\n`, "main.yml:9:46: error: timeout must be a whole number of seconds (or a %(prop:name)s)"],
    [`${BASE}      - ShellCommand: {command: ls, timeout: [1]}\n`, "main.yml:9:46: error: stages.s.steps[0].ShellCommand.timeout must be an integer or a string"],
    [`${BASE}      - ShellCommand:\n`, "main.yml:9:9: error: stages.s.steps[0].ShellCommand must be a mapping"],
    [`${BASE}      - ShellCommand: {name: x}\n`, "main.yml:9:9: error: stages.s.steps[0].ShellCommand: missing required key 'command'"],
    [`${BASE}      - Shellcommand: {command: ls}\n`, "main.yml:9:9: error: unknown step type 'Shellcommand' (did you mean ShellCommand?); known step types: ShellCommand,"],
    [`${BASE}      - Frobnicate: {command: ls}\n`, "main.yml:9:9: error: unknown step type 'Frobnicate'; known step types: ShellCommand,"],
    [`${BASE}      - TriggerStages: {stage_names: [nope]}\n`, "main.yml:9:39: error: TriggerStages names stage 'nope', which is not defined in stages"],
    [`${BASE}      - ShellCommand: {command: ls, doStepIf: 'maybe'}\n`, "main.yml:9:47: error: doStepIf must be a boolean or exactly one %(prop:name)s"],
    [`${BASE}      - ShellCommand: {command: ls, doStepIf: '%(prop:a)s and %(prop:b)s'}\n`, "main.yml:9:47: error: doStepIf must be a boolean"],
    [`${BASE}      - ShellCommand: {command: 'date +%Y'}\n`, "main.yml:9:40: error: unsupported format character 'Y' (0x59): write %% for a literal %"],
    [`${BASE}      - ShellCommand: {command: 'echo %(prop:x)s; date +%Y'}\n`, "main.yml:9:33: error: in a string with properties: unsupported format character 'Y'"],
    [`${BASE.replace("  s:\n", "  bootstrap:\n").replace("stage: s", "stage: bootstrap")}      - ShellCommand: {command: ls}\n`, "main.yml:5:3: error: 'bootstrap' is a reserved stage name"],
    ["branches:\n  on:\n    stage: s\nstages:\n  s: {worker: {type: local}, steps: []}\n", "main.yml:2:3: error: branch pattern 'True' is not a string in YAML 1.1"],
    ["branches:\n  default:\n    stage: [s]\n", "main.yml:3:12: error: branches.default.stage must be a string"],
    // Buildbot refused unknown step arguments; a typo must not drop the limit silently.
    [`${BASE}      - ShellCommand: {command: ls, timout: 60}\n`, "main.yml:9:37: error: unknown parameter 'timout' for ShellCommand: did you mean 'timeout'?"],
    [`${BASE}      - ShellCommand: {command: ls, haltonfailure: true}\n`, "main.yml:9:37: error: unknown parameter 'haltonfailure' for ShellCommand: did you mean 'haltOnFailure'?"],
    [`${BASE}      - Git: {repourl: x, shalow: true}\n`, "main.yml:9:27: error: unknown parameter 'shalow' for Git: did you mean 'shallow'?"],
    [`${BASE}      - ShellCommand: {command: ls, colour: red}\n`, "main.yml:9:37: error: unknown parameter 'colour' for ShellCommand"],
  ])("%j → %s", (text, expected) => {
    const result = validateBuildFile(text, "main.yml");

    expect(result.buildFile).toBeUndefined();
    expect(result.messages.map(formatMessage).find((line) => line.includes(": error: "))).toContain(expected);
  });

  it.each([
    [`${BASE}      - ShellCommand: {command: ls, haltOnFailure: 'False'}\n`, "main.yml:9:52: warning: haltOnFailure is the string 'False', which Eve reads as true"],
    [`${BASE}      - Upload: {source: out}\n`, "main.yml:9:9: warning: Upload cannot run on this Eve: it needs an artifact store"],
    [`${BASE}      - ShellCommand: {command: ls}\n        name: x\n`, "main.yml:10:9: warning: only the first key of a step is used"],
    [BASE.replace("    steps:\n", "    step: []\n"), "main.yml:8:5: warning: stage key 'step' is ignored: did you mean 'steps'?"],
    ["branches:\n  default:\n    stage: nope\nstages: {}\n", "main.yml:3:12: warning: stage 'nope' is not defined in stages"],
    // Two stages of one name: PyYAML keeps the later silently, and the first stage's steps never run.
    [`${BASE}      - ShellCommand: {command: ls}\n  s:\n    worker: {type: local}\n    steps: []\n`, "main.yml:10:3: warning: duplicate key 's' (first at line 5): Eve keeps this later value"],
  ])("warns: %j → %s", (text, expected) => {
    const result = validateBuildFile(text, "main.yml");

    expect(errors(text)).toEqual([]);
    expect(result.buildFile).toBeDefined();
    expect(result.messages.map(formatMessage)).toContainEqual(expect.stringContaining(expected));
  });

  it("accepts string booleans, interpolated numbers and yes/no conditions", () => {
    const text = `${BASE}      - ShellCommand: {command: ls, haltOnFailure: 'True', timeout: '%(prop:t:-60)s', doStepIf: 'yes', hideStepIf: '%(secret:h:-false)s'}\n`;

    expect(lint(text)).toEqual([]);
  });

  it("bounds a huge file and reports it at line 1", () => {
    expect(errors(`a: ${"x".repeat(11 * 1024 * 1024)}\n`)).toEqual([expect.stringMatching(/^main.yml:1:1: error: file is too large/)]);
  });
});

describe("the step catalog and the schema", () => {
  it("describe the same step types", () => {
    expect(getSchemaStepTypes().sort()).toEqual([...KNOWN_STEP_TYPES].sort());
  });
});
