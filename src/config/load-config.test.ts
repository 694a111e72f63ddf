import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";
import { getWorkerSettings } from "./load-worker-settings.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const minimal = { APP_ID: "42", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cret" };

describe("loadConfig", () => {
  it("reads the whole-log settings: 30 days and 1 GB by default, sizes in K/M/G/T, 0 for no limit", () => {
    expect(loadConfig(minimal).config).toMatchObject({ logRetentionDays: 30, logMaxBytes: 1024 ** 3 });
    expect(loadConfig({ ...minimal, EVE_LOG_RETENTION_DAYS: "400", EVE_LOG_MAX_BYTES: "200M" }).config).toMatchObject({ logRetentionDays: 400, logMaxBytes: 200 * 1024 ** 2 });
    // The build history is kept as long as the logs unless said otherwise.
    expect(loadConfig(minimal).config).toMatchObject({ buildHistoryDays: 30 });
    expect(loadConfig({ ...minimal, EVE_LOG_RETENTION_DAYS: "400" }).config).toMatchObject({ buildHistoryDays: 400 });
    expect(loadConfig({ ...minimal, EVE_BUILD_HISTORY_DAYS: "7", EVE_STATUS_TOKEN: "s3cret" }).config).toMatchObject({ buildHistoryDays: 7, statusToken: "s3cret" });
    expect(loadConfig({ ...minimal, EVE_LOG_MAX_BYTES: "0" }).config?.logMaxBytes).toBe(Number.POSITIVE_INFINITY);
    expect(loadConfig({ ...minimal, EVE_LOG_MAX_BYTES: "huge" }).errors).toEqual(["EVE_LOG_MAX_BYTES=huge: expected a size such as 500M or 10G (0: no limit)"]);
  });

  it("applies Eve's defaults to a minimal environment", () => {
    const { config, errors } = loadConfig(minimal);

    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      appId: 42,
      port: 3000,
      githubApiUrl: "https://api.github.com",
      githubServerUrl: "https://github.com",
      redisUrl: "redis://127.0.0.1:6379",
      buildFilePath: "eve/main.yml",
      publicUrl: "http://localhost:3000",
      artifactsNaming: { publicUrl: "http://localhost:3000/artifacts", privateUrl: "http://localhost:3000/artifacts", prefix: "staging-" },
      instance: "eve",
      workerTypes: ["local", "docker"],
      capacity: { local: 2, docker: 24, kube_pod: 24, openstack: 20 },
      commitStatus: true,
      allowMasterShellCommand: false,
      dockerSteps: undefined,
      coverage: undefined,
    });
  });

  it("reads the artifacts URLs and prefix", () => {
    const { config } = loadConfig({ ...minimal, EVE_ARTIFACTS_PUBLIC_URL: "https://artifacts.example.com/", EVE_ARTIFACTS_PRIVATE_URL: "http://eve.internal:3000/artifacts", EVE_ARTIFACTS_PREFIX: "dev-staging-" });

    expect(config?.artifactsNaming).toEqual({ publicUrl: "https://artifacts.example.com", privateUrl: "http://eve.internal:3000/artifacts", prefix: "dev-staging-" });
  });

  it("refuses an artifacts prefix that could leave a path", () => {
    expect(loadConfig({ ...minimal, EVE_ARTIFACTS_PREFIX: "../x" }).errors).toEqual(["EVE_ARTIFACTS_PREFIX=../x: expected letters, digits, '.', '_' or '-'"]);
  });

  it("reads GitHub Enterprise host and protocol as Probot does", () => {
    const { config } = loadConfig({ ...minimal, GHE_HOST: "localhost:8080", GHE_PROTOCOL: "http" });

    expect(config?.githubApiUrl).toBe("http://localhost:8080/api/v3");
    expect(config?.githubServerUrl).toBe("http://localhost:8080");
  });

  it("accepts a base64 key and escaped newlines", () => {
    expect(loadConfig({ ...minimal, PRIVATE_KEY: Buffer.from(pem).toString("base64") }).errors).toEqual([]);
    expect(loadConfig({ ...minimal, PRIVATE_KEY: pem.replace(/\n/g, "\\n") }).errors).toEqual([]);
  });

  it("reports every bad setting at once, one message each", () => {
    const { config, errors } = loadConfig({
      PRIVATE_KEY: "not a key",
      PORT: "http",
      GHE_PROTOCOL: "ftp",
      EVE_WORKER_TYPES: "local,lambda",
      EVE_MAX_DOCKER_WORKERS: "0",
      EVE_COMMIT_STATUS: "maybe",
      REDIS_URL: "localhost:6379",
    });

    expect(config).toBeUndefined();
    expect(errors).toEqual([
      "APP_ID is not set: the GitHub App's id (App settings → About)",
      "PRIVATE_KEY: not a PEM private key",
      "WEBHOOK_SECRET is not set: the webhook secret configured on the App",
      "PORT=http: expected a whole number ≥ 0",
      "GHE_PROTOCOL=ftp: expected https or http",
      "REDIS_URL=localhost:6379: expected redis://[user:password@]host:port[/db]",
      "EVE_WORKER_TYPES=local,lambda: unknown lambda (expected local, docker, kube_pod, openstack)",
      "EVE_MAX_DOCKER_WORKERS=0: expected a whole number ≥ 1",
      "EVE_COMMIT_STATUS=maybe: expected on or off",
    ]);
  });

  it("reads the fork policy: approve and local by default, each value checked", () => {
    expect(loadConfig(minimal).config).toMatchObject({ forkBuilds: "approve", trustedOnlyWorkers: ["local", "kube_pod"] });
    expect(loadConfig({ ...minimal, EVE_FORK_BUILDS: "on", EVE_TRUSTED_ONLY_WORKERS: "local, docker" }).config).toMatchObject({ forkBuilds: "on", trustedOnlyWorkers: ["local", "docker"] });
    expect(loadConfig({ ...minimal, EVE_TRUSTED_ONLY_WORKERS: "none" }).config?.trustedOnlyWorkers).toEqual([]);
    expect(loadConfig({ ...minimal, EVE_FORK_BUILDS: "maybe", EVE_TRUSTED_ONLY_WORKERS: "local,vm" }).errors).toEqual([
      "EVE_FORK_BUILDS=maybe: expected off, approve, on",
      "EVE_TRUSTED_ONLY_WORKERS=local,vm: unknown vm (expected local, docker, kube_pod, openstack, or none)",
    ]);
  });

  it("turns sign-in on with all three of its settings only; build tokens are signed either way", () => {
    const all = { EVE_GITHUB_CLIENT_ID: "Iv1.abc", EVE_GITHUB_CLIENT_SECRET: "cs", EVE_SESSION_SECRET: "s".repeat(32) };

    expect(loadConfig(minimal).config).toMatchObject({ signIn: undefined, buildTokenSecret: expect.stringMatching(/^[\w-]{43}$/) });
    expect(loadConfig({ ...minimal, ...all }).config).toMatchObject({ signIn: { clientId: "Iv1.abc", clientSecret: "cs", sessionSecret: "s".repeat(32) }, buildTokenSecret: "s".repeat(32) });
    expect(loadConfig({ ...minimal, EVE_GITHUB_CLIENT_ID: "Iv1.abc", EVE_SESSION_SECRET: "short" }).errors).toEqual([
      "EVE_GITHUB_CLIENT_SECRET must be set too: sign-in needs EVE_GITHUB_CLIENT_ID, EVE_GITHUB_CLIENT_SECRET, EVE_SESSION_SECRET",
      "EVE_SESSION_SECRET: expected at least 32 characters (e.g. openssl rand -base64 32)",
    ]);
  });

  it("carries the worker settings, and refuses to start kube_pod workers that cannot reach a cluster", () => {
    const { config } = loadConfig({ ...minimal, EVE_DOCKER_MAX_MEMORY: "2G", EVE_KUBE_SERVER: "https://kube.example.com", EVE_KUBE_TOKEN: "t0ken", EVE_WORKER_TYPES: "docker,kube_pod" });

    expect(getWorkerSettings(config?.workerSettings ?? [], "docker")).toMatchObject({ settings: { maxMemory: "2G" }, problems: [] });
    expect(getWorkerSettings(config?.workerSettings ?? [], "kube_pod")).toMatchObject({ settings: { kubernetes: { access: { mode: "token", server: "https://kube.example.com" } } }, problems: [] });
    expect(loadConfig({ ...minimal, EVE_WORKER_TYPES: "docker" }).errors).toEqual([]);
    expect(loadConfig({ ...minimal, EVE_WORKER_TYPES: "docker,kube_pod", EVE_DOCKER_CPUS: "-1" }).errors).toEqual([
      "EVE_DOCKER_CPUS=-1: expected a number of CPUs above 0, e.g. 1 or 0.5",
      "EVE_KUBE_ACCESS=in-cluster: Eve is not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set); use EVE_KUBE_CONFIG (a kubeconfig file) or EVE_KUBE_SERVER and EVE_KUBE_TOKEN",
    ]);
  });

  it("warns about EVE_ names it does not know", () => {
    expect(loadConfig({ ...minimal, EVE_MAX_LOCAL_WORKER: "3" }).warnings).toEqual([
      "EVE_MAX_LOCAL_WORKER is not an Eve setting (ignored); see docs/configuration.md",
    ]);
  });
});
