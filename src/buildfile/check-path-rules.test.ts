import { describe, expect, it } from "vitest";
import { formatMessage } from "./format-message.js";
import { WORKER_RULES } from "../provisioners/worker-types.js";
import { validateBuildFile as validate } from "./validate-build-file.js";

// As `eve lint` runs it: with each worker type's rules for its `worker:` block.
const validateBuildFile = (text: string, name: string) => validate(text, name, { workerRules: WORKER_RULES });

const file = (worker: string, step = "ShellCommand: {command: ls}"): string =>
  `branches:\n  default:\n    stage: s\nstages:\n  s:\n    worker: ${worker}\n    steps:\n      - ${step}\n`;
const lint = (text: string): string[] => validateBuildFile(text, "main.yml").messages.map(formatMessage);

describe("eve lint on paths", () => {
  it.each([
    ["{type: docker, path: /etc}", "main.yml:6:34: error: path '/etc' must be relative to the repository"],
    ["{type: docker, path: ../other-repo}", "main.yml:6:34: error: path '../other-repo' must not contain '..'"],
    ["{type: docker, path: eve/w, dockerfile: ../../Dockerfile}", "main.yml:6:53: error: dockerfile '../../Dockerfile' must not contain '..'"],
    ["{type: docker, image: x, volumes: ['/srv/../etc:/x']}", "main.yml:6:48: error: volume '/srv/../etc:/x' must not contain '..'"],
    ["{type: kube_pod, path: /etc/pod.yaml}", "main.yml:6:36: error: path '/etc/pod.yaml' must be relative to the repository"],
    ["{type: kube_pod, path: p.yaml, images: {a: ../x}}", "main.yml:6:56: error: image context '../x' must not contain '..'"],
    ["{type: kube_pod, path: p.yaml, images: {a: {context: x, dockerfile: /D}}}", "main.yml:6:81: error: image dockerfile '/D' must be relative"],
    ["{type: openstack, image: i, flavor: f, path: ../w}", "main.yml:6:58: error: path '../w' must not contain '..'"],
  ])("%s", (worker, expected) => {
    const result = validateBuildFile(file(worker), "main.yml");

    expect(result.buildFile).toBeUndefined();
    expect(result.messages.map(formatMessage)).toContainEqual(expect.stringContaining(expected));
  });

  it.each([
    ["{type: docker, image: x, volumes: ['/var/cache:/cache']}", "ShellCommand: {command: ls}", "main.yml:6:48: warning: volume '/var/cache:/cache' mounts the host path '/var/cache'"],
    ["{type: local}", "ShellCommand: {command: ls, workdir: ../../other-build}", "main.yml:8:46: warning: workdir '../../other-build' climbs above the builder directory"],
    ["{type: local}", "Upload: {source: build/../../x}", "main.yml:8:26: warning: source 'build/../../x' climbs above"],
    ["{type: local}", "ShellCommand: {command: ls, logfiles: {a: ../../x.log, b: {filename: ../y}}}", "main.yml:8:51: warning: logfile '../../x.log' climbs above"],
    ["{type: local}", "ShellCommand: {command: ls, logfiles: {b: {filename: ../y}}}", "warning: logfile '../y' climbs above"],
  ])("warns: %s %s", (worker, step, expected) => {
    const result = validateBuildFile(file(worker, step), "main.yml");

    expect(result.buildFile).toBeDefined();
    expect(result.messages.map(formatMessage)).toContainEqual(expect.stringContaining(expected));
  });

  it.each([
    ["{type: docker, path: eve/workers/unit, dockerfile: docs/Dockerfile, volumes: ['/home/eve/workspace', 'cache:/cache']}", "ShellCommand: {command: ls}"],
    ["{type: local}", "ShellCommand: {command: ls, workdir: /tmp}"],
    ["{type: local}", "ShellCommand: {command: ls, workdir: 'build/../build/x'}"],
    ["{type: local}", "ShellCommand: {command: ls, workdir: '%(prop:builddir)s/../x'}"],
    ["{type: local}", "ShellCommand: {command: ls, logfiles: {s3: {filename: /artifacts/s3.log, follow: true}}}"],
    ["{type: local}", "Upload: {source: /tmp/artifacts}"],
  ])("accepts %s %s", (worker, step) => {
    expect(lint(file(worker, step)).filter((line) => !line.includes("cannot run on this Eve"))).toEqual([]);
  });
});
