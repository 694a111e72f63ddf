// One docker stage with a cached image — spawn, 3 trivial steps, teardown —
// through Eve's DockerProvisioner, against the raw floor with the Docker CLI:
// `docker run -d` + 3 × `docker exec` + `docker rm -f` of the same image.
// Run after `npm run build`: node bench/docker.js [iterations]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerProvisioner } from "../dist/provisioners/docker/docker-provisioner.js";

const IMAGE = "eve-test-busybox:latest";
const iterations = Number(process.argv[2] ?? 10);

function ensureImage() {
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

function floorStage() {
  const id = execFileSync("docker", ["run", "-d", "--network", "none", IMAGE, "sleep", "3600"], { encoding: "utf8" }).trim();
  for (let step = 0; step < 3; step += 1) execFileSync("docker", ["exec", id, "true"]);
  execFileSync("docker", ["rm", "-f", id], { stdio: "pipe" });
}

async function measure(run) {
  await run(-1); // warm-up
  const times = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await run(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

ensureImage();
const floor = await measure(async () => floorStage());
const eve = await measure(eveStage);
const ratio = eve / floor;
process.stdout.write(`docker stage (spawn + 3 steps + teardown), median of ${iterations}:\n`);
process.stdout.write(`  floor (docker CLI): ${floor.toFixed(0)} ms\n  eve:                ${eve.toFixed(0)} ms\n  ratio:              ${ratio.toFixed(2)}× (goal ≤ 1.2×)\n`);
