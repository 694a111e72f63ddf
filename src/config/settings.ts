/**
 * Every environment setting Eve reads, in one table: the README and
 * `docs/configuration.md` list exactly these. Probot's standard names come
 * first, then Redis, then Eve's own `EVE_*` settings; each worker type's own
 * settings come from its module (src/provisioners/<type>/<type>-worker-type.ts).
 */
import type { WorkerType } from "../buildfile/types.js";
import { DEFAULT_TRUSTED_ONLY_WORKERS, DEFAULT_WORKER_TYPES, WORKER_TYPE_MODULES, WORKER_TYPES } from "../provisioners/worker-types.js";
import type { Setting } from "./setting.js";

export type { Setting } from "./setting.js";

/** EVE_MAX_<TYPE>_WORKERS: stages of one type one worker process runs at once. */
export function getCapacitySettingName(type: WorkerType): string {
  return `EVE_MAX_${type.toUpperCase()}_WORKERS`;
}

export const SETTINGS: readonly Setting[] = [
  { name: "APP_ID", default: undefined, description: "GitHub App id (required)" },
  { name: "PRIVATE_KEY", default: undefined, description: "the App's private key, PEM (or base64 of it); or PRIVATE_KEY_PATH" },
  { name: "PRIVATE_KEY_PATH", default: undefined, description: "path of the App's .pem file, when PRIVATE_KEY is not set" },
  { name: "WEBHOOK_SECRET", default: undefined, description: "webhook secret configured on the App (required)" },
  { name: "WEBHOOK_PATH", default: "/api/github/webhooks", description: "URL path that receives webhooks" },
  { name: "PORT", default: "3000", description: "HTTP port (webhooks and log pages)" },
  { name: "HOST", default: "0.0.0.0", description: "HTTP listen address" },
  { name: "LOG_LEVEL", default: "info", description: "trace, debug, info, warn, error, fatal or silent" },
  { name: "GHE_HOST", default: undefined, description: "GitHub Enterprise Server host (or a local stand-in); API at <protocol>://<host>/api/v3" },
  { name: "GHE_PROTOCOL", default: "https", description: "protocol for GHE_HOST: https or http" },
  { name: "REDIS_URL", default: "redis://127.0.0.1:6379", description: "Redis shared by the app and every worker process (queues, logs, cancellation)" },
  { name: "EVE_BUILD_FILE", default: "eve/main.yml", description: "path of the build file in repositories" },
  { name: "EVE_PUBLIC_URL", default: "http://localhost:<PORT>", description: "public base URL of this app, for log links in check runs" },
  { name: "EVE_ARTIFACTS_PUBLIC_URL", default: "<EVE_PUBLIC_URL>/artifacts", description: "base URL of the artifact pages (Eve's ARTIFACTS_PUBLIC_URL): `artifacts_public_url` is `<this>/builds/<artifacts_name>`" },
  { name: "EVE_ARTIFACTS_PRIVATE_URL", default: "EVE_ARTIFACTS_PUBLIC_URL", description: "base URL workers read artifacts back from (`artifacts_private_url`), when they reach Eve by another address" },
  { name: "EVE_ARTIFACTS_PREFIX", default: "staging-", description: "prefix of artifacts container names after `<host>:<owner>:<repo>:` (Eve's ARTIFACTS_PREFIX)" },
  { name: "EVE_ARTIFACTS_STORE", default: "disk", description: "where artifacts are kept: disk (a directory, identical files stored once) or s3 (an S3-compatible bucket, docs/artifacts.md)" },
  { name: "EVE_ARTIFACTS_DIR", default: "$XDG_DATA_HOME/eve/artifacts (~/.local/share/eve/artifacts)", description: "directory of the disk artifact store; keep it on one file system (it uses hard links)" },
  { name: "EVE_ARTIFACTS_S3_ENDPOINT", default: undefined, description: "S3 endpoint, http(s)://host[:port], for a server other than AWS (MinIO, Ceph, versitygw…)" },
  { name: "EVE_ARTIFACTS_S3_BUCKET", default: undefined, description: "bucket of the s3 artifact store (required with EVE_ARTIFACTS_STORE=s3; Eve does not create it)" },
  { name: "EVE_ARTIFACTS_S3_REGION", default: "$AWS_REGION or us-east-1", description: "region of the bucket" },
  { name: "EVE_ARTIFACTS_S3_ACCESS_KEY_ID", default: undefined, description: "access key of the bucket; unset: the AWS SDK's usual chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, instance roles)" },
  { name: "EVE_ARTIFACTS_S3_SECRET_ACCESS_KEY", default: undefined, description: "secret key going with EVE_ARTIFACTS_S3_ACCESS_KEY_ID (a secret: never logged)" },
  { name: "EVE_ARTIFACTS_S3_KEY_PREFIX", default: undefined, description: "folder prefix of every key, ending in /, to share a bucket (e.g. eve-prod/)" },
  { name: "EVE_ARTIFACTS_S3_PATH_STYLE", default: "on", description: "path-style URLs (host/bucket/key), which most non-AWS servers need (on/off)" },
  { name: "EVE_ARTIFACTS_RETENTION_DAYS", default: "14", description: "days a build's artifacts are kept; promoted copies are kept forever" },
  { name: "EVE_ARTIFACTS_GC_INTERVAL", default: "3600", description: "seconds between garbage collections of the artifact store (expired containers, then unreferenced data)" },
  { name: "EVE_ARTIFACTS_MAX_STEP_BYTES", default: "10G", description: "bytes one Upload step may store (K/M/G/T; 0: no limit); over it the step fails and its files are removed" },
  { name: "EVE_ARTIFACTS_MAX_STEP_FILES", default: "100000", description: "files one Upload step may store (0: no limit)" },
  { name: "EVE_ARTIFACTS_MAX_BUILD_BYTES", default: "50G", description: "bytes one build's artifacts container may hold, all its stages together (0: no limit)" },
  { name: "EVE_ARTIFACTS_MAX_BUILD_FILES", default: "500000", description: "files one build's artifacts container may hold (0: no limit)" },
  { name: "EVE_GITHUB_CLIENT_ID", default: undefined, description: "the GitHub App's client id: with EVE_GITHUB_CLIENT_SECRET and EVE_SESSION_SECRET, readers sign in with GitHub to see private repositories' pages (the App's Callback URL: EVE_PUBLIC_URL/auth/github/callback); without them those pages answer 403" },
  { name: "EVE_GITHUB_CLIENT_SECRET", default: undefined, description: "a client secret of the GitHub App (App settings → Client secrets), for sign-in" },
  { name: "EVE_SESSION_SECRET", default: undefined, description: "at least 32 random characters: signs readers' session cookies and the build tokens of links workers use (default for the tokens: a key derived from the App's private key)" },
  { name: "EVE_INSTANCE", default: "eve", description: "label stamped on every resource Eve creates (the reaper keeps instances apart)" },
  { name: "EVE_WORKER_TYPES", default: DEFAULT_WORKER_TYPES.join(","), description: `worker types this process runs: ${WORKER_TYPES.join(", ")}` },
  ...WORKER_TYPE_MODULES.map((module) => ({ name: getCapacitySettingName(module.type), default: String(module.defaultCapacity), description: `${module.type} stages run at once by one worker process` })),
  { name: "EVE_COMMIT_STATUS", default: "on", description: "post a commit status for the top stage (on/off)" },
  { name: "EVE_FORK_BUILDS", default: "approve", description: "pull requests from forks: off (never built), approve (built once a maintainer comments /eve approve on that head commit), on (always built); never with secrets" },
  trustedOnlyWorkersSetting(),
  { name: "EVE_DOCKER_STEPS", default: "off", description: "run the Docker* steps (DockerBuild, DockerPull, DockerPush, DockerCheckLocalImage, DockerComputeImageFingerprint) on the engine of DOCKER_HOST, as Eve ran them on its master (on/off); never for pull requests from forks" },
  { name: "EVE_DOCKER_REGISTRY_AUTH_FILE", default: undefined, description: "docker CLI config file (`{\"auths\": {\"<registry>\": {\"auth\": \"<base64 user:password>\"}}}`) whose credentials DockerPush and DockerPull use" },
  { name: "EVE_CODECOV_URL", default: undefined, description: "Codecov-compatible endpoint PublishCoverageReport uploads to (Eve's CODECOV_IO_BASE_URL, e.g. https://codecov.io); each repository's upload token is its secret codecov_token; unset, the step fails saying so" },
  { name: "EVE_ALLOW_MASTER_SHELL_COMMAND", default: "off", description: "let MasterShellCommand run on the Eve host (on/off)" },
  { name: "EVE_LOG_RETENTION_DAYS", default: "30", description: "days a stage's whole log is kept in the artifact store after the stage ends (Redis keeps the live part at most 7 days); then its page answers 410" },
  { name: "EVE_BUILD_HISTORY_DAYS", default: "EVE_LOG_RETENTION_DAYS", description: "days a build's history (its stages, steps and times: the build and repository pages) stays in Redis after its last change" },
  { name: "EVE_STATUS_TOKEN", default: undefined, description: "token of the operator page `/status` (queues, running stages, worker processes, reaper, GitHub writes), sent as `Authorization: Bearer <token>` or once as `/status?token=<token>` (then a cookie); without it the page answers 403" },
  { name: "EVE_LOG_MAX_BYTES", default: "1G", description: "bytes of one stage's log kept whole (K/M/G/T; 0: no limit); the log says where output past it was dropped and how much" },
  { name: "EVE_WORKSPACE_DIR", default: "<tmpdir>/eve", description: "directory for repository checkouts and local workers" },
  { name: "EVE_MAX_STEP_DURATION", default: "14400", description: "ceiling and default of a step's maxTime, seconds" },
  { name: "EVE_MAX_STAGES_PER_BUILD", default: "500", description: "stages one build may trigger (TriggerStages, at any depth; the top stage not counted); a TriggerStages past it starts none of its stages and fails" },
  { name: "EVE_MAX_TRIGGER_DEPTH", default: "10", description: "levels of TriggerStages below the top stage, at most; a deeper TriggerStages fails" },
  { name: "EVE_DEFAULT_STEP_TIMEOUT", default: "1200", description: "seconds without output before a step is killed" },
  { name: "EVE_KILL_GRACE", default: "10", description: "seconds between SIGTERM and SIGKILL when a step is killed" },
  { name: "EVE_GITHUB_WRITE_INTERVAL_MS", default: "1000", description: "pause between two GitHub writes of one installation, by all of Eve's processes together (GitHub asks ≥ 1 s; 0 for a local stand-in)" },
  { name: "EVE_SHUTDOWN_GRACE", default: "300", description: "seconds a process stopping on SIGTERM lets running stages finish before it cancels them" },
  { name: "EVE_WORKER_LOST_AFTER", default: "60", description: "seconds without a heartbeat after which a stage's worker process counts as lost; its stage is retried once elsewhere" },
  { name: "EVE_REAP_INTERVAL", default: "300", description: "seconds between sweeps for containers and directories of dead stage runs (0: only at start-up)" },
  { name: "EVE_WORKER_METRICS_PORT", default: undefined, description: "port where `eve worker` serves /healthz, /readyz and /metrics (off when unset; `npm start` serves them on PORT)" },
  ...WORKER_TYPE_MODULES.flatMap((module) => module.settings),
  { name: "EVE_SECRETS_FILE", default: undefined, description: "file of NAME=VALUE lines, or a yaml mapping if it ends in .yaml/.yml (as `eve run --secrets`), for %(secret:name)s" },
  { name: "EVE_SECRET_<NAME>", default: undefined, description: "one secret per variable: %(secret:NAME)s; wins over the file and Vault" },
  { name: "VAULT_ADDR", default: undefined, description: "HashiCorp Vault address; turns the Vault secret source on" },
  { name: "VAULT_TOKEN", default: undefined, description: "Vault token that can read EVE_VAULT_PATH (required with VAULT_ADDR)" },
  { name: "VAULT_NAMESPACE", default: undefined, description: "Vault Enterprise namespace, if any" },
  { name: "EVE_VAULT_MOUNT", default: "secret", description: "mount of the KV version 2 engine" },
  { name: "EVE_VAULT_PATH", default: undefined, description: "KV secret whose keys are the secrets (required with VAULT_ADDR); re-read every 5 minutes" },
];

function trustedOnlyWorkersSetting(): Setting {
  const notes = WORKER_TYPE_MODULES.flatMap((module) => (module.forks.note === undefined ? [] : [`; ${module.forks.note}`]));
  return {
    name: "EVE_TRUSTED_ONLY_WORKERS",
    default: DEFAULT_TRUSTED_ONLY_WORKERS.join(","),
    description: `worker types refused to builds of pull requests from forks (${WORKER_TYPES.join(", ")})${notes.join("")}`,
  };
}
