/**
 * `eve run --artifacts DIR` as a user runs it (`node bin/eve.js`, after
 * `npm run build`): Upload stores plain files under DIR, the final table says
 * where each link points, and a later run finds them with GetArtifactsFromStage.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { useEveTmpdir } from "../../helpers/eve-tmpdir.js";

const root = resolve(import.meta.dirname, "../../..");
const bin = join(root, "bin/eve.js");
const repo = mkdtempSync(join(tmpdir(), "eve-run-artifacts-"));
const artifacts = join(repo, ".artifacts");
const eveTmp = useEveTmpdir();

const BUILD_FILE = `
version: 0.2
branches:
  default:
    stage: pre-merge
stages:
  pre-merge:
    worker: {type: local}
    steps:
      - ShellCommand: {command: "mkdir -p out/docs && echo SUCCESSFUL > out/.final_status && echo '<h1>hi</h1>' > 'out/docs/index page.html'"}
      - Upload:
          source: out
          urls: [[status, .final_status], [docs, "docs/*.html"]]  # a name without \\1 prefixes each file name, as in Eve
      - ShellCommand: {command: 'echo "url=%(prop:artifacts_public_url)s"'}
  post-merge:
    worker: {type: local}
    steps:
      - GetArtifactsFromStage: {stage: pre-merge, property: pre}
      - ShellCommand: {command: 'echo "found %(prop:pre)s"'}
`;

const run = promisify(execFile);

async function eve(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run("node", [bin, "run", "--dir", repo, "--artifacts", artifacts, ...args], { env: eveTmp.env(), encoding: "utf8" });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: `${e.stdout}${e.stderr}` };
  }
}

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("eve run --artifacts", () => {
  it("keeps uploads as plain files, prints where links point, and a later run finds them", async () => {
    mkdirSync(join(repo, "eve"));
    writeFileSync(join(repo, "eve", "main.yml"), BUILD_FILE);
    writeFileSync(join(repo, ".gitignore"), ".artifacts\n");
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "x");
    const sha = execFileSync("git", ["-C", repo, "rev-parse", "HEAD"], { encoding: "utf8" }).trim().slice(0, 10);

    const first = await eve([]);

    expect(first.code).toBe(0);
    const container = new RegExp(`local:local:eve-run-artifacts-[^:]+:staging-0\\.0\\.0\\.r\\d{12}\\.${sha}\\.pre-merge\\.00000001`).exec(first.stdout)?.[0];
    expect(container).toBeDefined();
    const files = join(artifacts, "containers", container ?? "", "files");
    expect(readFileSync(join(files, ".final_status"), "utf8")).toBe("SUCCESSFUL\n");
    expect(first.stdout).toContain(`  pre-merge / status → ${join(files, ".final_status")}`);
    expect(first.stdout).toContain(`  pre-merge / docsindex page.html → ${join(files, "docs", "index page.html")}`);
    expect(first.stdout).toContain(`url=file://${files}`);
    expect(first.stdout).toMatch(/ARTIFACTS {2}2 files, \d+ B in /);

    const second = await eve(["--stage", "post-merge"]);

    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`found ${container}`);

    const promoted = await run("node", [bin, "promote", "--artifacts", artifacts, "--container", container ?? "", "--tag", "1.0.0"], { encoding: "utf8" });
    const name = container?.replace(/staging-.*$/, "promoted-1.0.0") ?? "";
    expect(promoted.stdout).toBe(`${name}\n`);
    expect(readFileSync(join(artifacts, "containers", name, "files", ".final_status"), "utf8")).toBe("SUCCESSFUL\n");
    await expect(run("node", [bin, "promote", "--artifacts", artifacts, "--container", container ?? "", "--tag", "1.0.0"])).rejects.toMatchObject({ code: 1, stderr: `eve promote: ${name} exists already: a tag is promoted once\n` });
  });
});
