import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTempExecOptions } from "../../../test/helpers/temp-exec-options.js";
import { runProcess, signalGroup } from "./run-process.js";
import { encodeOutputHeader, OUTPUT_KEY_BYTES } from "./spawn-helper-protocol.js";

const { options, cleanup } = createTempExecOptions("eve-spawn-helper-");
afterEach(cleanup);

describe("the spawn helper", () => {
  it("ends a step whose helper died, and starts a new helper for the next step", async () => {
    let output = "";
    let stepGroup = 0;
    const step = runProcess({ shell: "echo helper=$PPID; exec sleep 30" }, { ...options((text) => (output += text)), onGroup: (pgid) => (stepGroup = pgid) });
    await expect.poll(() => /helper=(\d+)/.exec(output)?.[1]).toBeDefined();
    process.kill(Number(/helper=(\d+)/.exec(output)?.[1]), "SIGKILL");

    const lost = await step;
    // Its process group outlives the helper: teardown kills it, as here.
    signalGroup(stepGroup, "SIGKILL");

    expect(lost.exitCode).toBeNull();
    expect(output).toContain("eve: lost this step's process: the spawn helper exited");
    let next = "";
    expect((await runProcess({ shell: "echo again" }, options((text) => (next += text)))).exitCode).toBe(0);
    expect(next).toBe("again\n");
  });

  it("reports a program that cannot start", async () => {
    let output = "";
    const result = await runProcess({ argv: ["/nonexistent/program"] }, options((text) => (output += text)));

    expect(result.exitCode).toBe(127);
    expect(output).toContain("eve: cannot run '/nonexistent/program'");
  });

  it("creates a missing workdir, and fails the step with exit 1 when it cannot", async () => {
    const base = options(() => undefined);
    writeFileSync(join(base.workdir, "a-file"), "");
    let output = "";

    const created = await runProcess({ shell: "pwd" }, { ...base, workdir: join(base.workdir, "new/sub dir"), onOutput: (chunk) => void (output += chunk.toString()) });
    const blocked = await runProcess({ shell: "echo never" }, { ...base, workdir: join(base.workdir, "a-file/sub"), onOutput: (chunk) => void (output += chunk.toString()) });

    expect(created.exitCode).toBe(0);
    expect(blocked).toMatchObject({ exitCode: 1, killedBy: null });
    expect(output).toMatch(new RegExp(`^${base.workdir}/new/sub dir\\neve: cannot create workdir ${base.workdir}/a-file/sub: ENOTDIR: not a directory, mkdir '${base.workdir}/a-file/sub'\\n$`));
  });
});

describe("the output socket of the spawn helper", () => {
  /** Eve's ends of its output socket: the listening one and every accepted connection. */
  const eveEnds = () =>
    readFileSync("/proc/net/unix", "utf8")
      .split("\n")
      .filter((line) => line.trim().split(/\s+/)[7]?.startsWith(`@eve-spawn-helper-${process.pid}-`)).length;

  it("starts each next step on the connections the helper opened ahead, each stream to its own step", async () => {
    const seen: string[][] = [];

    for (let i = 0; i < 5; i++) {
      const chunks: string[] = [];
      const result = await runProcess({ shell: `echo out${i}; echo err${i} >&2` }, { ...options(() => undefined), onOutput: (chunk, stream) => void chunks.push(`${stream}:${chunk}`) });
      expect(result.exitCode).toBe(0);
      seen.push(chunks.sort());
    }

    expect(seen).toEqual(Array.from({ length: 5 }, (_, i) => [`stderr:err${i}\n`, `stdout:out${i}\n`]));
    // Idle now, with the next step's two connections held open (and the listening socket).
    await expect.poll(eveEnds).toBe(3);
  });

  it("drops a connection that does not carry the helper's key, whatever request it names", async () => {
    let output = "";
    const stepOptions = options((text) => (output += text));
    const step = runProcess({ shell: "echo started; sleep 1; echo done" }, stepOptions);
    await expect.poll(() => output).toContain("started");
    const path = readFileSync("/proc/net/unix", "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/)[7] ?? "")
      .find((name) => name.startsWith(`@eve-spawn-helper-${process.pid}-`));
    expect(path).toBeDefined();

    const intruder = connect(`\0${path?.slice(1)}`);
    const closed = new Promise((resolve) => intruder.on("close", resolve));
    intruder.on("error", () => undefined);
    for (let id = 1; id <= 16; id++) intruder.write(Buffer.concat([encodeOutputHeader("00".repeat(OUTPUT_KEY_BYTES), id, "stdout"), Buffer.from("injected\n")]));
    await closed;

    expect((await step).exitCode).toBe(0);
    expect(output).toBe("started\ndone\n");
  });
});
