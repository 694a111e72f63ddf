import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveHostPath, resolveRepositoryPath, type RepositoryPathOptions } from "./safe-path.js";

const root = realpathSync(mkdtempSync(join(tmpdir(), "eve-safe-path-")));
const repo = join(root, "repo");
const allowed = join(root, "allowed");
mkdirSync(join(repo, "eve/workers/ctx"), { recursive: true });
writeFileSync(join(repo, "eve/workers/ctx/Dockerfile"), "FROM scratch\n");
writeFileSync(join(root, "outside.txt"), "secret\n");
symlinkSync("/etc/passwd", join(repo, "eve/passwd"));
symlinkSync(join(root, "outside.txt"), join(repo, "eve/outside"));
symlinkSync("workers/ctx", join(repo, "eve/ctx-link"), "dir");
symlinkSync(root, join(repo, "eve/up"));
symlinkSync(repo, join(root, "repo-link"));
mkdirSync(join(allowed, "cache"), { recursive: true });
symlinkSync("/etc", join(allowed, "etc"));
symlinkSync(join(allowed, "cache"), join(allowed, "cache-link"));

afterAll(() => rmSync(root, { recursive: true, force: true }));

const dir: RepositoryPathOptions = { what: "worker path", kind: "directory", links: "inside" };
const file: RepositoryPathOptions = { what: "worker dockerfile", kind: "file", links: "inside" };

describe("resolveRepositoryPath", () => {
  it.each([
    ["eve/workers/ctx", dir, join(repo, "eve/workers/ctx")],
    ["eve/workers/ctx/", dir, join(repo, "eve/workers/ctx")],
    ["./eve/workers/ctx", dir, join(repo, "eve/workers/ctx")],
    ["eve/workers/ctx/Dockerfile", file, join(repo, "eve/workers/ctx/Dockerfile")],
    ["eve/ctx-link", dir, join(repo, "eve/workers/ctx")],
  ])("accepts %j", async (path, options, expected) => {
    expect(await resolveRepositoryPath(repo, path, options)).toEqual({ ok: true, path: expected });
  });

  it("follows a link to the repository itself", async () => {
    expect(await resolveRepositoryPath(join(root, "repo-link"), "eve/workers/ctx", dir)).toEqual({ ok: true, path: join(repo, "eve/workers/ctx") });
  });

  it.each([
    ["/etc", dir, "worker path '/etc': must be relative to the repository"],
    ["C:\\Windows", dir, "must be relative to the repository"],
    ["\\\\host\\share", dir, "must be relative to the repository"],
    ["..", dir, "must not contain '..' (it cannot leave the repository)"],
    ["eve/../../etc", dir, "must not contain '..'"],
    ["eve/..\\..\\etc", dir, "must not contain '..'"],
    ["eve/workers/../workers/ctx", dir, "must not contain '..'"],
    ["", dir, "is empty"],
    ["eve/\0", dir, "NUL"],
    ["eve/passwd", file, "worker dockerfile 'eve/passwd': leads out of the repository through a link"],
    ["eve/outside", file, "leads out of the repository through a link"],
    ["eve/up/outside.txt", file, "leads out of the repository through a link"],
    ["eve/missing", dir, "no such directory in the repository"],
    ["eve/workers/ctx/Dockerfile", dir, "is not a directory"],
    ["eve/workers/ctx", file, "is not a file"],
  ])("refuses %j", async (path, options, message) => {
    const result = await resolveRepositoryPath(repo, path, options);

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("refuses any link, even one that stays inside, when asked to", async () => {
    const result = await resolveRepositoryPath(repo, "eve/ctx-link", { ...dir, links: "refuse" });

    expect(result).toEqual({ ok: false, message: "worker path 'eve/ctx-link': goes through a link; links are not allowed here" });
  });
});

describe("resolveHostPath", () => {
  it.each([
    [join(allowed, "cache"), [allowed], join(allowed, "cache")],
    [join(allowed, "cache-link"), [allowed], join(allowed, "cache")],
    [join(allowed, "cache/not-yet/deeper"), [allowed], join(allowed, "cache/not-yet/deeper")],
    [`${allowed}/`, [allowed], allowed],
    ["/etc", ["/"], "/etc"],
  ])("accepts %j under %j", async (path, roots, expected) => {
    expect(await resolveHostPath(path, roots)).toEqual({ ok: true, path: expected });
  });

  it.each([
    [join(allowed, "etc"), [allowed], "resolves to '/etc', outside the host paths this Eve allows"],
    [join(allowed, "etc/shadow"), [allowed], "resolves to '/etc/shadow'"],
    [join(allowed, "etc/not-there/x"), [allowed], "resolves to '/etc/not-there/x'"],
    [`${allowed}-other`, [allowed], "outside the host paths this Eve allows"],
    [`${allowed}/../outside.txt`, [allowed], "must not contain '..'"],
    ["relative/path", [allowed], "must be an absolute path"],
    [join(allowed, "cache"), [], "this Eve allows no host paths"],
  ])("refuses %j under %j", async (path, roots, message) => {
    const result = await resolveHostPath(path, roots);

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.message).toContain(message);
  });
});
