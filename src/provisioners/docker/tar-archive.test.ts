import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, describe, expect, it } from "vitest";
import { createTarArchive } from "./tar-archive.js";

const dir = mkdtempSync(join(tmpdir(), "eve-tar-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createTarArchive", () => {
  it("writes an archive GNU tar reads back, long names and modes included", async () => {
    const source = join(dir, "script.sh");
    writeFileSync(source, "#!/bin/sh\necho hi\n", { mode: 0o755 });
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/script.sh`;
    const stats = statSync(source);
    const archive = join(dir, "out.tar");
    const entry = { type: "file" as const, source, size: stats.size, mode: stats.mode, mtimeMs: stats.mtimeMs };

    const chunks: Buffer[] = [];
    for await (const chunk of createTarArchive([{ name: "top", type: "directory", size: 0, mode: 0o755, mtimeMs: 0 }, { ...entry, name: "top/script.sh" }, { ...entry, name: long }])) chunks.push(chunk as Buffer);
    writeFileSync(archive, Buffer.concat(chunks));

    expect(execFileSync("tar", ["-tvf", archive], { encoding: "utf8" }).split("\n").filter(Boolean).map((line) => `${line.slice(0, 10)} ${line.split(" ").at(-1)}`)).toEqual([
      "drwxr-xr-x top/",
      "-rwxr-xr-x top/script.sh",
      `-rwxr-xr-x ${long}`,
    ]);
    expect(execFileSync("tar", ["-xOf", archive, long], { encoding: "utf8" })).toBe("#!/bin/sh\necho hi\n");
    expect(await text(createTarArchive([]))).toBe("\0".repeat(1024));
  });
});
