/**
 * Artifacts through the app: a push whose build uploads (check-run summary
 * links, the build's total, link records in the stage log, the result written
 * on the container), then `/eve promote` on its pull request. Real Redis,
 * local workers, the disk store; GitHub is the OpenAPI-checked mock.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { LOG_START } from "../../../src/logs/log-store.js";
import type { GitHubMock } from "../../helpers/github-mock.js";
import { startAppHarness, type AppHarness } from "../app-harness.js";

const buildFile = `
version: 0.2
branches:
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {command: "mkdir -p out/docs && echo SUCCESSFUL > out/.final_status && echo '<p>hi</p>' > out/docs/index.html"}
      - Upload:
          source: out
          urls: [[status, .final_status], "docs/*.html"]
`;

type Payload = Record<string, any>;
const fixture = (name: string): Payload => JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8")) as Payload;
const push = fixture("push-event.json");
const container = `github:Codertocat:Hello-World:staging-0.0.0.r190515151925.${(push.after as string).slice(0, 10)}.pre-merge.00000001`;

let app: AppHarness | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function built(harness: AppHarness): Promise<void> {
  await harness.push({ id: "artifacts-push-1" });
  await expect.poll(() => harness.checkRuns().filter((run) => run.statuses.at(-1) === "completed").length, { timeout: 20_000, interval: 100 }).toBe(1);
}

/** GitHub's answers about people: maintainer has maintain, writer has write. */
function mockPermissions(github: GitHubMock): void {
  const roles: Record<string, string> = { maintainer: "maintain", writer: "write" };
  github.on("repos/get-collaborator-permission-level", (request) => {
    const role = roles[request.params.username ?? ""] ?? "read";
    return { body: { permission: role === "maintain" ? "write" : role, role_name: role, user: { login: request.params.username } } };
  }, { persist: true });
}

function mockPullRequest(github: GitHubMock): void {
  const pr = fixture("pull-request-event.json").pull_request as Payload;
  pr.head.sha = push.after;
  mockPermissions(github);
  github
    .on("pulls/get", { body: pr }, { persist: true })
    .on("reactions/create-for-issue-comment", (request) => ({ body: { id: 1, content: (request.body as { content: string }).content } }), { persist: true })
    .on("issues/create-comment", { body: { id: 1 } }, { persist: true });
}

let comments = 0;
async function comment(harness: AppHarness, body: string, user: string): Promise<void> {
  const payload = fixture("issue-comment-event.json");
  payload.comment.body = body;
  payload.comment.user.login = user;
  payload.comment.id = 7000 + ++comments;
  await harness.runtime.probot.receive({ id: `artifacts-comment-${comments}`, name: "issue_comment", payload } as never);
}

async function commitComment(harness: AppHarness, body: string, user: string): Promise<void> {
  const payload = fixture("commit-comment-event.json");
  payload.comment.body = body;
  payload.comment.user.login = user;
  payload.comment.commit_id = push.after;
  await harness.runtime.probot.receive({ id: `artifacts-commit-comment-${++comments}`, name: "commit_comment", payload } as never);
}

describe("artifacts in the app", () => {
  it("links uploads in the check run and the log, and records the build's result on its container", async () => {
    app = await startAppHarness(buildFile);

    await built(app);

    const [run] = app.checkRuns();
    expect(run?.conclusion).toBe("success");
    // In its update, or in its create when the stage ended before the create went out.
    const final = [...app.github.requestsFor("checks/create"), ...app.github.requestsFor("checks/update")].map((r) => r.body as { conclusion?: string; output?: { summary: string } }).find((body) => body.conclusion);
    const base = `http://eve.test/artifacts/builds/${encodeURIComponent(container)}`;
    expect(final?.output?.summary).toContain(`**Artifacts**: 2 files, 21 B in this build · [all files](<${base}/>)`);
    expect(final?.output?.summary).toContain(`- [status](<${base}/.final_status>)`);
    expect(final?.output?.summary).toContain(`- [index.html](<${base}/docs/index.html>)`);
    const store = await app.runtime.artifactStore();
    // Recorded as the stage ends, beside its check run's completion: either may come first.
    await expect.poll(async () => (await store.getContainer(container))?.result, { timeout: 10_000, interval: 50 }).toBe("success");
    expect(await store.getContainer(container)).toMatchObject({ result: "success", untrusted: false, commit: push.after, stage: "pre-merge" });
    const runId = (app.github.requestsFor("checks/create")[0]?.body as { details_url: string }).details_url.split("/").at(-1) ?? "";
    const log = await app.runtime.logStore.read(runId, LOG_START, 1000);
    expect(log.entries.flatMap((entry) => entry.records).filter((record) => record.kind === "link")).toEqual([
      { kind: "link", name: "index.html", url: `${base}/docs/index.html` },
      { kind: "link", name: "status", url: `${base}/.final_status` },
    ]);
    app.github.assertDone();
  });

  it("promotes the head commit's artifacts for a maintainer, once, and refuses others", async () => {
    app = await startAppHarness(buildFile);
    await built(app);
    mockPullRequest(app.github);

    await comment(app, "/eve promote 1.0.0", "writer");
    await comment(app, "/eve promote 1.0.0", "maintainer");
    await comment(app, "/eve promote 1.0.0", "maintainer");
    await comment(app, "/eve promote ../x", "maintainer");

    const replies = app.github.requestsFor("issues/create-comment").map((r) => (r.body as { body: string }).body);
    expect(replies[0]).toBe("@writer only people with maintain or admin permission can promote artifacts (they are kept forever).");
    expect(replies[1]).toBe("@maintainer promoted the artifacts of 6113728 to http://eve.test/artifacts/builds/github%3ACodertocat%3AHello-World%3Apromoted-1.0.0/ (kept forever).");
    expect(replies[2]).toBe("@maintainer github:Codertocat:Hello-World:promoted-1.0.0 exists already: a tag is promoted once.");
    expect(replies[3]).toMatch(/^@maintainer `..\/x` is not a tag Eve promotes to/);
    const store = await app.runtime.artifactStore();
    expect(await store.getContainer("github:Codertocat:Hello-World:promoted-1.0.0")).toMatchObject({ expiresAt: null, promotedFrom: container });
    const files: string[] = [];
    for await (const file of store.listFiles("github:Codertocat:Hello-World:promoted-1.0.0")) files.push(file.path);
    expect(files).toEqual([".final_status", "docs/index.html"]);
  });

  it("promotes from a commit comment, answering with an eve/promote commit status", async () => {
    app = await startAppHarness(buildFile);
    await built(app);
    mockPermissions(app.github);
    const before = app.github.requestsFor("repos/create-commit-status").length;

    await commitComment(app, "Release:\n/eve promote 2.0.0", "writer");
    await commitComment(app, "/eve promote 2.0.0", "maintainer");
    await commitComment(app, "/eve rerun", "maintainer");

    const statuses = app.github.requestsFor("repos/create-commit-status").slice(before).map((r) => ({ sha: r.params.sha, ...(r.body as Record<string, string>) }));
    expect(statuses).toEqual([
      { sha: push.after, state: "failure", context: "eve/promote", description: "2.0.0 not promoted: only people with maintain or admin permission can promote artifacts (they are kept forever)." },
      { sha: push.after, state: "success", context: "eve/promote", description: "promoted to 2.0.0, kept forever", target_url: "http://eve.test/artifacts/builds/github%3ACodertocat%3AHello-World%3Apromoted-2.0.0/" },
    ]);
    expect(await (await app.runtime.artifactStore()).getContainer("github:Codertocat:Hello-World:promoted-2.0.0")).toMatchObject({ promotedFrom: container });
    app.github.assertDone();
  });
});
