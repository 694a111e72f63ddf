/**
 * Secrets printed in many ways never reach anything a user sees: the stage
 * log (what the log store and check-run text get), step names, step and stage
 * summaries, the terminal and the `--report` JSON of `eve run`. The forms
 * looked for are computed here, independently of the masker.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateBuildFile } from "../../src/buildfile/validate-build-file.js";
import { createWorkspaceBase, runBuild } from "../helpers/engine-harness.js";
import { useEveTmpdir } from "../helpers/eve-tmpdir.js";

const root = resolve(import.meta.dirname, "../..");
const repo = mkdtempSync(join(tmpdir(), "eve-secret-masking-"));
const eveTmp = useEveTmpdir();
const SECRETS = {
  token: "hunter2-Pa55word-XYZ",
  odd: 'p@ss w"rd/+&=ok\\z',
  key: "-----BEGIN TEST KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7xyz\n-----END TEST KEY-----\n",
};
const SECRETS_YAML = `token: '${SECRETS.token}'\nodd: ${JSON.stringify(SECRETS.odd)}\nkey: |\n${SECRETS.key.replace(/^(?=.)/gm, "  ")}`;

const BUILD_FILE = `
branches:
  default:
    stage: ci
stages:
  ci:
    worker: {type: local}
    steps:
      - ShellCommand:
          name: "deploy with %(secret:token)s"
          env: &env {T: "%(secret:token)s", O: "%(secret:odd)s", K: "%(secret:key)s"}
          command: 'echo "plain $T"; echo "stderr $T" >&2; env | grep "^T="'
      - ShellCommand:
          name: split
          env: *env
          command: 'echo -n "$T" | cut -c1-10 | tr -d "\\n"; sleep 0.3; echo "$T" | cut -c11-'
      - ShellCommand:
          name: base64
          env: *env
          command: 'echo -n "$T" | base64; echo -n "x$T" | base64; echo -n "xy$T" | base64; echo "$T" | base64; echo -n "$K" | base64 -w0; echo; echo -n "$O" | base64'
      - ShellCommand:
          name: wrapped
          env: *env
          command: 'printf "%%050d%%s" 0 "$T" | base64; echo -n "$K" | base64; echo -n "0123456789abcdefghij$T" | xxd -p; echo -n "$T" | xxd -p -u'
      - ShellCommand:
          name: json and url
          env: *env
          command: |-
            node -e 'const e = process.env; console.log(JSON.stringify({ t: e.T, o: e.O, k: e.K })); console.log(encodeURIComponent(e.O), new URLSearchParams({ o: e.O, t: e.T }).toString())'
      - ShellCommand:
          name: multi-line
          env: *env
          command: echo "$K"; echo "$K" | sed "s/^/> /"
      - ShellCommand:
          name: terminal
          env: *env
          usePTY: true
          command: echo "$K"; echo "$T"
      - SetPropertyFromCommand:
          property: leaked
          env: *env
          command: echo "$T"
      - ShellCommand:
          name: show property
          command: echo "property %(prop:leaked)s"
      - ShellCommand:
          name: bad timeout
          command: "true"
          timeout: "%(secret:token)s"
`;

/** Every form of every secret that must not appear anywhere. */
function forbiddenForms(): string[] {
  const forms = new Set<string>();
  for (const secret of Object.values(SECRETS)) {
    forms.add(secret);
    forms.add(secret.replaceAll("\n", "\r\n"));
    for (const line of secret.split("\n")) if (line.length >= 6) forms.add(line);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ x: secret }).toString().slice(2));
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret).toString("hex"));
    forms.add(Buffer.from(secret).toString("hex").toUpperCase());
    for (const prefix of ["", "x", "xy"]) {
      for (const suffix of ["", "\n"]) {
        // The middle of the base64 text: only the secret's bytes decide it.
        const encoded = Buffer.from(prefix + secret + suffix).toString("base64");
        forms.add(encoded.slice(4, -4));
      }
    }
  }
  return [...forms];
}

/** Forms found in `text`, also once its line breaks are removed (`base64` wraps at 76 columns, `xxd -p` at 60). */
function leaks(text: string): string[] {
  const flat = text.replace(/[\r\n]+/g, "");
  return forbiddenForms().filter((form) => text.includes(form) || flat.includes(form.replace(/[\r\n]+/g, "")));
}

beforeAll(() => {
  mkdirSync(join(repo, "eve"));
  writeFileSync(join(repo, "eve/main.yml"), BUILD_FILE);
  writeFileSync(join(repo, "secrets.yaml"), SECRETS_YAML);
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-qm", "init");
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("secrets are masked everywhere", () => {
  it("in the stage log, step names and outcomes the engine reports", async () => {
    const { buildFile, messages } = validateBuildFile(BUILD_FILE, "main.yml");
    expect(messages.filter((message) => message.severity === "error")).toEqual([]);
    const workspaces = createWorkspaceBase();
    try {
      const { outcome, observer } = await runBuild(workspaces.baseDir, buildFile!, "ci", { secrets: SECRETS });
      const log = observer.log("ci");
      const { properties: _properties, ...reported } = outcome;

      expect(leaks(log)).toEqual([]);
      expect(leaks(observer.events.join("\n"))).toEqual([]);
      expect(leaks(JSON.stringify(reported))).toEqual([]);
      expect(leaks(JSON.stringify(observer.finished.map(({ properties: _p, ...rest }) => rest)))).toEqual([]);
      // The output around the secrets survives.
      expect(log).toContain("plain <secret>\n");
      expect(log).toContain("T=<secret>\n");
      expect(log).toContain('"t":"<secret>"');
      expect(log).toContain("> <secret>");
      expect(log).toContain("property <secret>\n");
      expect(observer.events).toContain("step ci/deploy with <secret>");
      expect(outcome.steps.at(-1)).toMatchObject({ name: "bad timeout", result: "exception", summary: expect.stringContaining("<secret>") });
    } finally {
      workspaces.cleanup();
    }
  });

  it("in eve run's terminal output and --report JSON, with a yaml secrets file", () => {
    if (!existsSync(join(root, "dist/cli/main.js"))) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root });
    const report = join(repo, "report.json");
    let stdout = "";
    let stderr = "";
    try {
      stdout = execFileSync("node", [join(root, "bin/eve.js"), "run", "--dir", repo, "--secrets", join(repo, "secrets.yaml"), "--report", report], { env: eveTmp.env(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      ({ stdout, stderr } = error as { stdout: string; stderr: string });
    }

    expect(leaks(stdout)).toEqual([]);
    expect(leaks(stderr)).toEqual([]);
    expect(leaks(readFileSync(report, "utf8"))).toEqual([]);
    expect(stdout).toContain("plain <secret>");
    expect(readFileSync(report, "utf8")).toContain("deploy with <secret>");
  });
});
