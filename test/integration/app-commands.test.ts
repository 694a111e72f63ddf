/**
 * Re-runs and pull-request commands through probot.receive with real webhook
 * payloads (test/fixtures, from @octokit/webhooks-examples), real Redis and
 * local workers; GitHub is the OpenAPI-checked mock.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubMock } from "../helpers/github-mock.js";
import { startAppHarness, type AppHarness } from "./app-harness.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {command: echo top}
      - TriggerStages: {stage_names: [child, other]}
  child:
    worker: {type: local}
    steps:
      - ShellCommand: {name: flaky, command: 'test "%(prop:fixed:-no)s" = yes'}
  other:
    worker: {type: local}
    steps:
      - ShellCommand: {command: echo other is fine}
`;

type Payload = Record<string, any>;
const fixture = (name: string): Payload => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as Payload;
const pushSha = fixture("push-event.json").after as string;

let app: AppHarness | undefined;
let deliveries = 0;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** GitHub's answers about people and the pull request (its head is `sha`). */
function mockPullRequest(github: GitHubMock, options: { sha: string; fork?: boolean; roles?: Record<string, string>; replies?: boolean }): Payload {
  const pr = fixture(options.fork ? "pull-request-fork-event.json" : "pull-request-event.json").pull_request as Payload;
  pr.head.sha = options.sha;
  const roles = options.roles ?? { maintainer: "maintain", reader: "read" };
  github
    .on("repos/get-collaborator-permission-level", (request) => {
      const role = roles[request.params.username ?? ""];
      if (role === undefined) return { status: 404, body: { message: "Not Found" } };
      // GitHub's legacy `permission` maps maintain → write and triage → read.
      const permission = { maintain: "write", triage: "read" }[role] ?? role;
      return { body: { permission, role_name: role, user: { login: request.params.username } } };
    }, { persist: true })
    .on("pulls/get", { body: pr }, { persist: true })
    .on("reactions/create-for-issue-comment", (request) => ({ body: { id: 1, content: (request.body as { content: string }).content } }), { persist: true });
  // A fork's build asks for its commit's date (part of the artifacts container's name).
  if (options.fork) github.on("git/get-commit", { body: { sha: options.sha, committer: { name: "c", email: "c@example.com", date: "2024-01-02T03:04:05Z" } } }, { persist: true });
  // Without it, a reply is a request no mock matches: assertDone fails.
  if (options.replies !== false) github.on("issues/create-comment", { body: { id: 1 } }, { persist: true });
  return pr;
}

async function comment(harness: AppHarness, body: string, user: string): Promise<void> {
  const payload = fixture("issue-comment-event.json");
  payload.comment.body = body;
  payload.comment.user.login = user;
  payload.comment.id = 5000 + ++deliveries;
  await harness.runtime.probot.receive({ id: `comment-${deliveries}`, name: "issue_comment", payload } as never);
}

const replies = (harness: AppHarness) => harness.github.requestsFor("issues/create-comment").map((r) => (r.body as { body: string }).body);
const reactions = (harness: AppHarness) => harness.github.requestsFor("reactions/create-for-issue-comment").map((r) => (r.body as { content: string }).content);
const completedRuns = (harness: AppHarness) => harness.checkRuns().filter((run) => run.statuses.at(-1) === "completed");
const waitForCompleted = (harness: AppHarness, count: number) =>
  expect.poll(() => completedRuns(harness).length, { timeout: 20_000, interval: 100 }).toBe(count);
const summary = (harness: AppHarness) => harness.checkRuns().map(({ name, conclusion }) => `${name}:${conclusion ?? "-"}`);

/** The external_id Eve gave the first check run of `stage`. */
function externalIdOf(harness: AppHarness, stage: string): string {
  const create = harness.github.requestsFor("checks/create").find((r) => (r.body as { name: string }).name === stage);
  return (create?.body as { external_id: string }).external_id;
}

async function buildPushed(harness: AppHarness): Promise<void> {
  await harness.push({ id: `push-${++deliveries}` });
  await waitForCompleted(harness, 3);
  expect(summary(harness)).toEqual(["child:failure", "other:success", "pre-merge:failure"]);
}

describe("/eve commands on a pull request", () => {
  it("re-runs one stage for a maintainer, with a forced property: a new check run for that stage only", async () => {
    app = await startAppHarness(buildFile);
    await buildPushed(app);
    mockPullRequest(app.github, { sha: pushSha, replies: false });

    await comment(app, "Looks flaky.\n/eve rerun child fixed=yes", "maintainer");
    await waitForCompleted(app, 4);

    expect(summary(app)).toEqual(["child:failure", "child:success", "other:success", "pre-merge:failure"]);
    expect(reactions(app)).toEqual(["rocket"]);
    expect(replies(app)).toEqual([]);
    const [first, second] = app.github.requestsFor("checks/create").filter((r) => (r.body as { name: string }).name === "child").map((r) => r.body as { external_id: string; details_url: string });
    expect(first?.external_id).toMatch(/\/1\/[^/]+\/child$/);
    expect(second?.external_id).toMatch(/\/2\/[^/]+\/child$/);
    expect(second?.details_url).not.toBe(first?.details_url);
    // The failed run offered its Re-run button; the passing re-run does not.
    // A run's end is in its update, or in its create when the stage ended before the create went out.
    const actions = [...app.github.requestsFor("checks/create"), ...app.github.requestsFor("checks/update")].map((r) => r.body as { conclusion?: string; actions?: unknown[] }).filter((b) => b.conclusion);
    expect(actions.map((b) => b.conclusion).sort()).toEqual(["failure", "failure", "success", "success"]);
    expect(actions.filter((b) => b.conclusion === "failure").every((b) => b.actions?.length === 1)).toBe(true);
    expect(actions.filter((b) => b.conclusion === "success").every((b) => b.actions === undefined)).toBe(true);
    app.github.assertDone();
  });

  it("refuses a reader with a reply and changes nothing", async () => {
    app = await startAppHarness(buildFile);
    await buildPushed(app);
    mockPullRequest(app.github, { sha: pushSha });
    const before = app.github.requests.length;

    await comment(app, "/eve rerun child", "reader");
    await comment(app, "/eve rerun child", "stranger");
    // Then a command that must run: once it has and nothing else is queued, a refused one would have shown.
    await comment(app, "/eve rerun other", "maintainer");
    await waitForCompleted(app, 4);
    await app.settled();

    expect(summary(app)).toEqual(["child:failure", "other:success", "other:success", "pre-merge:failure"]);
    expect(replies(app)).toEqual([
      "@reader only people with write, maintain or admin permission on Codertocat/Hello-World can run Eve commands (you have read).",
      "@stranger only people with write, maintain or admin permission on Codertocat/Hello-World can run Eve commands (you have none).",
    ]);
    expect(reactions(app)).toEqual(["rocket"]);
    const checkWrites = app.github.requests.slice(before).filter((r) => r.operation.startsWith("checks/"));
    expect(checkWrites.filter((r) => r.operation === "checks/create").map((r) => (r.body as { name: string }).name)).toEqual(["other"]);
  });

  it("answers an unknown stage with the build file's stages, a commit without a build, help, and ignores other comments", async () => {
    app = await startAppHarness(buildFile);
    mockPullRequest(app.github, { sha: "c".repeat(40) });

    await comment(app, "/eve rerun child", "maintainer");
    await comment(app, "Thanks! /eve rerun is what I wanted", "maintainer");
    await comment(app, "/eve help", "maintainer");
    await comment(app, "/eve frobnicate", "maintainer");

    const [noBuild, help, unknown] = replies(app);
    expect(noBuild).toBe("@maintainer there is no build of ccccccc, the head of this pull request.");
    expect(help).toContain("`/eve rerun <stage> [key=value ...]`");
    expect(unknown).toMatch(/^@maintainer unknown command `frobnicate`\.\n\nEve commands/);
    expect(reactions(app)).toEqual(["+1"]);
  });

  it("ignores bots, edited comments and plain issues, and answers a redelivered comment once", async () => {
    app = await startAppHarness(buildFile);
    mockPullRequest(app.github, { sha: "c".repeat(40) });
    const payload = fixture("issue-comment-event.json");
    payload.comment.body = "/eve help";
    payload.comment.user.login = "maintainer";
    const receive = (id: string, changed: Payload) => app!.runtime.probot.receive({ id, name: "issue_comment", payload: { ...payload, ...changed } } as never);

    await receive("bot", { comment: { ...payload.comment, user: { ...payload.comment.user, login: "eve[bot]", type: "Bot" } } });
    await receive("edited", { action: "edited", changes: { body: { from: "hi" } } });
    await receive("issue", { issue: { ...payload.issue, pull_request: undefined } });
    expect(app.github.requests).toEqual([]);
    await receive("twice", {});
    await receive("twice", {});

    expect(replies(app)).toHaveLength(1);
  });

  it("lists the stages when asked to re-run one the build file does not have", async () => {
    app = await startAppHarness(buildFile);
    await buildPushed(app);
    mockPullRequest(app.github, { sha: pushSha });

    await comment(app, "/eve rerun nope", "maintainer");

    expect(replies(app)).toEqual(["@maintainer there is no stage `nope` in `eve/main.yml`; its stages are `pre-merge`, `child`, `other`."]);
  });

  it("re-runs a stage from its check run's buttons, and the whole build from Re-run all checks", async () => {
    app = await startAppHarness(buildFile);
    await buildPushed(app);
    const harness = app;
    const externalId = externalIdOf(harness, "child");

    const action = fixture("check-run-requested-action-event.json");
    action.check_run.external_id = externalId;
    await harness.runtime.probot.receive({ id: "action-1", name: "check_run", payload: action } as never);
    await waitForCompleted(harness, 4);
    const rerequested = fixture("check-run-rerequested-event.json");
    rerequested.check_run.external_id = externalId;
    await harness.runtime.probot.receive({ id: "rerequest-1", name: "check_run", payload: rerequested } as never);
    await harness.runtime.probot.receive({ id: "rerequest-1", name: "check_run", payload: rerequested } as never);
    await waitForCompleted(harness, 5);

    expect(summary(harness)).toEqual(["child:failure", "child:failure", "child:failure", "other:success", "pre-merge:failure"]);

    const suite = fixture("check-suite-rerequested-event.json");
    suite.check_suite.head_sha = pushSha;
    await harness.runtime.probot.receive({ id: "suite-1", name: "check_suite", payload: suite } as never);
    await waitForCompleted(harness, 8);

    expect(summary(harness).filter((run) => run.startsWith("pre-merge"))).toEqual(["pre-merge:failure", "pre-merge:failure"]);
    expect(summary(harness).filter((run) => run.startsWith("other"))).toEqual(["other:success", "other:success"]);
  });

  it("re-runs every stage that did not succeed, from the highest failure", async () => {
    app = await startAppHarness(buildFile);
    await buildPushed(app);
    mockPullRequest(app.github, { sha: pushSha });

    await comment(app, "/eve rerun fixed=yes", "maintainer");
    await waitForCompleted(app, 6);

    // pre-merge failed and triggered child: re-running pre-merge runs child (and other) again, now passing.
    expect(summary(app)).toEqual(["child:failure", "child:success", "other:success", "other:success", "pre-merge:failure", "pre-merge:success"]);
  });

  it("cancels the head commit's running build", async () => {
    app = await startAppHarness(buildFile.replace("echo top", "sleep 30"));
    const harness = app;
    mockPullRequest(harness.github, { sha: pushSha });
    await harness.push({ id: "push-cancel" });
    await expect.poll(() => harness.checkRuns().find((run) => run.name === "pre-merge")?.statuses.at(-1), { timeout: 10_000 }).toBe("in_progress");

    await comment(harness, "/eve cancel", "maintainer");
    await waitForCompleted(harness, 1);

    expect(harness.checkRuns()).toMatchObject([{ name: "pre-merge", conclusion: "cancelled", title: "cancelled: cancelled by @maintainer" }]);
    expect(reactions(harness)).toEqual(["+1"]);
  });
});

describe("pull requests", () => {
  const forkSha = "f".repeat(40);
  const forkBuildFile = `
version: 0.2
branches:
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {name: uses a secret, command: 'echo token=%(secret:token)s'}
`;

  async function openFromFork(harness: AppHarness, id: string, sha = forkSha): Promise<void> {
    const payload = fixture("pull-request-fork-event.json");
    payload.pull_request.head.sha = sha;
    await harness.runtime.probot.receive({ id, name: "pull_request", payload } as never);
  }

  it("ignores a pull request from a branch of the same repository: its pushes build it", async () => {
    app = await startAppHarness(buildFile);

    await app.runtime.probot.receive({ id: "pr-same", name: "pull_request", payload: fixture("pull-request-event.json") } as never);

    expect(app.github.requests).toEqual([]);
  });

  it("runs nothing for a fork until a maintainer approves, then builds that commit without secrets", async () => {
    app = await startAppHarness(forkBuildFile, { EVE_SECRET_token: "hunter2", EVE_TRUSTED_ONLY_WORKERS: "none" });
    const harness = app;
    mockPullRequest(harness.github, { sha: forkSha, fork: true });

    await openFromFork(harness, "pr-fork-1");
    await openFromFork(harness, "pr-fork-2");
    expect(harness.checkRuns()).toEqual([]);
    expect(replies(harness)).toEqual([expect.stringMatching(/^This pull request comes from a fork: .*`\/eve approve`.* covers fffffff only: each new push needs a new approval\.$/)]);

    await comment(harness, "/eve approve", "reader");
    await comment(harness, "/eve approve", "maintainer");
    await waitForCompleted(harness, 1);

    expect(replies(harness).slice(1)).toEqual([
      expect.stringContaining("@reader only people with write"),
      "@maintainer approved fffffff: building `pre-merge` without secrets. A new push to the fork needs a new `/eve approve`.",
    ]);
    expect(reactions(harness)).toEqual(["rocket"]);
    const [run] = harness.checkRuns();
    expect(run).toMatchObject({ name: "pre-merge", conclusion: "failure" });
    expect(run?.title).toContain("secret 'token' is not available: builds of pull requests from forks get no secrets");
    // The run's end is in its update, or in its create when the stage ended before the create went out.
    const log = [...harness.github.requestsFor("checks/create"), ...harness.github.requestsFor("checks/update")].map((r) => JSON.stringify(r.body)).join("\n");
    expect(log).not.toContain("hunter2");
    harness.github.assertDone();
  });

  it("never gives a fork's build the operator's Docker Engine, even with the Docker* steps on", async () => {
    app = await startAppHarness(forkBuildFile.replace(/      - ShellCommand:.*\n/, "      - DockerCheckLocalImage: {label: base, image: eve-test-busybox}\n"), { EVE_DOCKER_STEPS: "on", EVE_TRUSTED_ONLY_WORKERS: "none" });
    const harness = app;
    mockPullRequest(harness.github, { sha: forkSha, fork: true });

    await openFromFork(harness, "pr-fork-docker");
    await comment(harness, "/eve approve", "maintainer");
    await waitForCompleted(harness, 1);

    const [run] = harness.checkRuns();
    expect(run).toMatchObject({ name: "pre-merge", conclusion: "failure" });
    expect(run?.title).toContain("DockerCheckLocalImage cannot run on this Eve: it needs the operator's Docker Engine for Docker* steps");
  });

  it("asks again after a new push to the fork", async () => {
    app = await startAppHarness(forkBuildFile);
    const harness = app;
    const pr = mockPullRequest(harness.github, { sha: forkSha, fork: true });
    await openFromFork(harness, "pr-fork-3");
    await comment(harness, "/eve approve", "maintainer");
    await waitForCompleted(harness, 1);

    pr.head.sha = "e".repeat(40);
    await openFromFork(harness, "pr-fork-4", "e".repeat(40));
    expect(replies(harness).at(-1)).toMatch(/covers eeeeeee only/);
    // Then the approval that must build eeeeeee: once it has, a build without it would have shown.
    await comment(harness, "/eve approve", "maintainer");
    await waitForCompleted(harness, 2);
    await harness.settled();

    expect(harness.checkRuns()).toHaveLength(2);
    expect(harness.github.requestsFor("checks/create").map((r) => (r.body as { head_sha: string }).head_sha)).toEqual(["f".repeat(40), "e".repeat(40)]);
  });

  it("refuses trusted-only worker types to fork builds with a failed check run", async () => {
    app = await startAppHarness(forkBuildFile, { EVE_FORK_BUILDS: "on" });
    const harness = app;

    await openFromFork(harness, "pr-fork-5");
    await waitForCompleted(harness, 1);

    expect(harness.checkRuns()).toMatchObject([
      { name: "pre-merge", conclusion: "failure", title: "failure: 'local' workers do not run pull requests from forks on this Eve (EVE_TRUSTED_ONLY_WORKERS)" },
    ]);
    expect(replies(harness)).toEqual([]);
  });
});
