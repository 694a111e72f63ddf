// One docker stage with a cached image — spawn, 3 trivial steps, teardown —
// through Eve's DockerProvisioner, against the raw floor with the Docker CLI:
// `docker run -d` + 3 × `docker exec` + `docker rm -f` of the same image.
// Run after `npm run build`: node bench/docker.js [iterations], or through bench/run-all.js.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerProvisioner } from "../dist/provisioners/docker/docker-provisioner.js";

export const IMAGE = "eve-test-busybox:latest";

export function ensureImage() {
  try {
    execFileSync("docker", ["image", "inspect", IMAGE], { stdio: "pipe" });
    return;
  } catch {
    // Build it below.
  }
  const dir = mkdtempSync(join(tmpdir(), "eve-bench-busybox-"));
  copyFileSync("/bin/busybox", join(dir, "busybox"));
  writeFileSync(join(dir, "Dockerfile"), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nRUN mkdir -p /tmp /root && chmod 1777 /tmp\nENV PATH=/usr/local/bin:/usr/bin:/bin\n');
  execFileSync("docker", ["build", "-q", "-t", IMAGE, dir], { stdio: "pipe", env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  rmSync(dir, { recursive: true, force: true });
}

const provisioner = new DockerProvisioner();
const execOptions = () => ({
  workdir: "/home/eve/workspace/build",
  env: {},
  timeoutMs: 60_000,
  maxTimeMs: 60_000,
  killGraceMs: 1_000,
  usePty: false,
  onOutput: () => undefined,
  signal: new AbortController().signal,
});

async function eveStage(i) {
  const workspace = await provisioner.spawn(
    { type: "docker", image: IMAGE },
    {
      labels: { instance: "bench", build: "bench", stage: "bench", attempt: 1, run: `bench-${process.pid}-${i}` },
      repoDir: undefined,
      interpolate: (value) => value,
      log: () => undefined,
      signal: new AbortController().signal,
    },
  );
  try {
    for (let step = 0; step < 3; step += 1) {
      const result = await workspace.exec({ shell: "true" }, execOptions());
      if (result.exitCode !== 0) throw new Error(`step exited ${result.exitCode}`);
    }
  } finally {
    await workspace.teardown();
  }
}

export function floorStage() {
  const id = execFileSync("docker", ["run", "-d", "--network", "none", IMAGE, "sleep", "3600"], { encoding: "utf8" }).trim();
  for (let step = 0; step < 3; step += 1) execFileSync("docker", ["exec", id, "true"]);
  execFileSync("docker", ["rm", "-f", id], { stdio: "pipe" });
}

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Alternates the two, so that load from elsewhere on the machine weighs on both alike. */
async function measure(iterations) {
  floorStage();
  await eveStage(-1);
  const floor = [];
  const eve = [];
  for (let i = 0; i < iterations; i += 1) {
    let start = performance.now();
    floorStage();
    floor.push(performance.now() - start);
    start = performance.now();
    await eveStage(i);
    eve.push(performance.now() - start);
  }
  return { floor: median(floor), eve: median(eve) };
}

/** Median time of the stage through Eve against the CLI floor; the goal is ≤ 1.2×. */
export async function benchDocker(iterations = 10) {
  ensureImage();
  const { floor, eve } = await measure(iterations);
  const ratio = eve / floor;
  return {
    name: "docker stage (spawn + 3 steps + teardown, cached image)",
    row: { workload: "docker1: container, 3 × true, teardown (provisioner)", floorMs: floor, eveMs: eve },
    pass: ratio <= 1.2,
    lines: [`floor (docker run -d, 3 × docker exec, docker rm -f): ${floor.toFixed(0)} ms (median of ${iterations})`, `eve: ${eve.toFixed(0)} ms`, `ratio: ${ratio.toFixed(2)}× (goal ≤ 1.2×)`],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchDocker(Number(process.argv[2] ?? 10));
  process.stdout.write(`${result.name}: ${result.pass ? "ok" : "MISSED"}\n${result.lines.map((l) => `  ${l}\n`).join("")}`);
  process.exitCode = result.pass ? 0 : 1;
}
