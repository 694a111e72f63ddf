/**
 * The bundled `eve` command (scripts/bundle-cli.js → dist/cli-bundle/): it runs a build as the
 * modules it was made from do, and bin/eve.js runs it only while it is as new as the compiled modules.
 * Needs the project compiled (`npm run build`, or tsc: the bundle is made here from dist/, beside
 * dist/cli-bundle).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEveTmpdir } from "../helpers/eve-tmpdir.js";

const root = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "eve-cli-bundle-"));
const eveTmp = useEveTmpdir();
/** In the project, as dist/cli-bundle is: the packages left out of the bundle resolve from its node_modules. */
let bundleDir = "";
const repo = join(scratch, "repo");

const BUILD_FILE = `version: 0.2
branches:
  default: {stage: ci}
stages:
  ci:
    worker: {type: local}
    steps:
      - ShellCommand: {name: hello, command: 'echo "hello %(prop:who)s"; echo oops >&2'}
      - ShellCommand: {name: fails, command: "exit 3", flunkOnFailure: false, warnOnFailure: true}
      - ShellCommand: {name: product, command: 'echo "version %(prop:product_version)s"'}
      # Step runners that import packages stay chunks of their own, loaded by their first step.
      - JUnitShellCommand:
          name: tests
          command: 'printf "%s" "<testsuite name=\\"s\\" tests=\\"2\\"><testcase name=\\"a\\"/><testcase name=\\"b\\"/></testsuite>" > report.xml'
          report_path: report.xml
      - Upload: {name: upload, source: ., urls: ["*.xml"]}
`;

/** `eve ARGS` through `entry` (a main.js): its exit code and its stdout, normalized. */
function runThrough(entry: string, args: string[]): { code: number; stdout: string } {
  const script = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(process.argv.slice(1));`;
  try {
    const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script, ...args], { env: eveTmp.env(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { code: 0, stdout: normalize(stdout) };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, stdout: normalize(e.stdout) };
  }
}

/** Without what differs from run to run: durations, the builder directory, the artifacts folder. */
function normalize(text: string): string {
  return text
    .replace(/\d+(\.\d+)? (ms|s)\b/g, "T")
    .replace(/\/run-\d+-[\w-]+\//g, "/RUN/")
    .replace(/\/artifacts-\d\//g, "/ARTIFACTS/")
    .replace(/ +/g, " ");
}

beforeAll(() => {
  if (!existsSync(join(root, "dist/cli/main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root });
  bundleDir = mkdtempSync(join(root, "dist", "cli-bundle-test-"));
  execFileSync(process.execPath, [join(root, "scripts/bundle-cli.js"), bundleDir], { cwd: root });
  mkdirSync(join(repo, "eve"), { recursive: true });
  writeFileSync(join(repo, "eve/main.yml"), BUILD_FILE);
  writeFileSync(join(repo, "eve/get_product_version.sh"), "echo 1.2.3\n");
  // A commit: Upload needs the build's artifacts container, named after it.
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-qm", "init");
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe("the bundled eve command", () => {
  it("runs a build as the compiled modules do: same log, table and exit code", () => {
    const args = (n: number) => ["run", "--dir", repo, "--artifacts", join(scratch, `artifacts-${n}`), "--property", "who=world"];

    const bundled = runThrough(join(bundleDir, "main.js"), args(1));
    const modules = runThrough(join(root, "dist/cli/main.js"), args(2));

    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toContain("[ci/hello] hello world\n");
    expect(bundled.stdout).toContain("[ci/product] version 1.2.3\n");
    expect(bundled.stdout).toMatch(/ci warnings T\n hello success T\n fails failure T\n product success T\n tests success T\n upload success T\n/);
    expect(bundled.stdout).toContain("T:2 E:0 F:0 S:0");
    expect(bundled).toEqual(modules);
  });

  it("lints with the precompiled schema validator, as the modules do", () => {
    writeFileSync(join(repo, "bad.yml"), "version: 0.2\nstages:\n  ci: {worker: {type: nowhere}, steps: []}\n");

    const bundled = runThrough(join(bundleDir, "main.js"), ["lint", join(repo, "bad.yml")]);
    const modules = runThrough(join(root, "dist/cli/main.js"), ["lint", join(repo, "bad.yml")]);

    expect(bundled.code).toBe(1);
    expect(bundled).toEqual(modules);
  });
});

describe("bin/eve.js", () => {
  /** A copy of bin/eve.js beside a dist/ whose two entries say which one ran. */
  function fakeInstall(bundleAgeS: number | undefined): string {
    const dir = mkdtempSync(join(scratch, "install-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync(join(root, "bin/eve.js"), join(dir, "bin/eve.js"));
    writeFileSync(join(dir, "package.json"), '{"type": "module"}\n');
    const entry = (name: string) => `export async function main(args) { process.stdout.write("${name} " + args.join(" ")); return 0; }\n`;
    mkdirSync(join(dir, "dist/cli"), { recursive: true });
    writeFileSync(join(dir, "dist/cli/main.js"), entry("modules"));
    const now = Date.now() / 1000;
    utimesSync(join(dir, "dist/cli/main.js"), now, now);
    if (bundleAgeS !== undefined) {
      mkdirSync(join(dir, "dist/cli-bundle"));
      writeFileSync(join(dir, "dist/cli-bundle/main.js"), entry("bundle"));
      utimesSync(join(dir, "dist/cli-bundle/main.js"), now - bundleAgeS, now - bundleAgeS);
    }
    return join(dir, "bin/eve.js");
  }

  it.each([
    ["made after the modules", -10, "bundle"],
    ["older than the modules (tsc ran since)", 10, "modules"],
    ["missing", undefined, "modules"],
  ])("with the bundle %s runs the %s", (_case, bundleAgeS, expected) => {
    const bin = fakeInstall(bundleAgeS);

    const stdout = execFileSync(process.execPath, [bin, "run", "--dir", "x"], { encoding: "utf8" });

    expect(stdout).toBe(`${expected} run --dir x`);
  });
});
