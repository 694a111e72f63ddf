import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTempExecOptions } from "../../../test/helpers/temp-exec-options.js";
import { runProcess, spawnStepsInThisProcess } from "./run-process.js";

const { options, cleanup } = createTempExecOptions("eve-spawn-directly-");
afterEach(cleanup);
// This file's process starts its steps itself, as `eve run` does (vitest runs each file in its own process).
beforeAll(() => spawnStepsInThisProcess());

describe("steps started in this process", () => {
  it("are this process's children, in their own process group, recorded for the reaper", async () => {
    let output = "";
    const base = options((text) => (output += text));
    const groupsFile = join(base.workdir, "groups");
    let group = 0;

    const result = await runProcess({ shell: "echo parent=$PPID pgid=$(cut -d' ' -f5 /proc/$$/stat) pid=$$" }, { ...base, groupsFile, onGroup: (pgid) => (group = pgid) });

    expect(result.exitCode).toBe(0);
    expect(output).toBe(`parent=${process.pid} pgid=${group} pid=${group}\n`);
    expect(readFileSync(groupsFile, "utf8")).toBe(`${group}\n`);
    // Nothing of it is left: its group is gone.
    expect(() => process.kill(-group, 0)).toThrow();
  });

  it("report a program that cannot start", async () => {
    let output = "";
    const result = await runProcess({ argv: ["/nonexistent/program"] }, options((text) => (output += text)));

    expect(result.exitCode).toBe(127);
    expect(output).toContain("eve: cannot run '/nonexistent/program'");
  });

  it("fail with exit 1 when their workdir cannot be created", async () => {
    let output = "";
    const base = options((text) => (output += text));
    writeFileSync(join(base.workdir, "a-file"), "");

    const result = await runProcess({ shell: "echo never" }, { ...base, workdir: join(base.workdir, "a-file/sub") });

    expect(result).toMatchObject({ exitCode: 1, killedBy: null });
    expect(output).toBe(`eve: cannot create workdir ${base.workdir}/a-file/sub: ENOTDIR: not a directory, mkdir '${base.workdir}/a-file/sub'\n`);
  });
});
