/**
 * Every environment setting Eve reads, in one table: the README and
 * `docs/configuration.md` list exactly these. Probot's standard names come
 * first, then Redis, then Eve's own `EVE_*` settings.
 */

/** One environment setting: its name, default (undefined = required or unset) and meaning. */
export interface Setting {
  name: string;
  /** Default as the operator would write it; undefined when there is none. */
  default: string | undefined;
  description: string;
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
  { name: "EVE_INSTANCE", default: "eve", description: "label stamped on every resource Eve creates (the reaper keeps instances apart)" },
  { name: "EVE_WORKER_TYPES", default: "local,docker", description: "worker types this process runs: local, docker, kube_pod, openstack" },
  { name: "EVE_MAX_LOCAL_WORKERS", default: "2", description: "local stages run at once by one worker process" },
  { name: "EVE_MAX_DOCKER_WORKERS", default: "24", description: "docker stages run at once by one worker process" },
  { name: "EVE_MAX_KUBE_POD_WORKERS", default: "24", description: "kube_pod stages run at once by one worker process" },
  { name: "EVE_MAX_OPENSTACK_WORKERS", default: "20", description: "openstack stages run at once by one worker process" },
  { name: "EVE_COMMIT_STATUS", default: "on", description: "post a commit status for the top stage (on/off)" },
  { name: "EVE_FORK_BUILDS", default: "approve", description: "pull requests from forks: off (never built), approve (built once a maintainer comments /eve approve on that head commit), on (always built); never with secrets" },
  { name: "EVE_TRUSTED_ONLY_WORKERS", default: "local", description: "worker types refused to builds of pull requests from forks (local, docker, kube_pod, openstack); add docker if its containers run privileged" },
  { name: "EVE_ALLOW_MASTER_SHELL_COMMAND", default: "off", description: "let MasterShellCommand run on the Eve host (on/off)" },
  { name: "EVE_LOG_RETENTION_DAYS", default: "30", description: "days stage logs are kept in Redis" },
  { name: "EVE_WORKSPACE_DIR", default: "<tmpdir>/eve", description: "directory for repository checkouts and local workers" },
  { name: "EVE_MAX_STEP_DURATION", default: "14400", description: "ceiling and default of a step's maxTime, seconds" },
  { name: "EVE_DEFAULT_STEP_TIMEOUT", default: "1200", description: "seconds without output before a step is killed" },
  { name: "EVE_KILL_GRACE", default: "10", description: "seconds between SIGTERM and SIGKILL when a step is killed" },
  { name: "EVE_GITHUB_WRITE_INTERVAL_MS", default: "1000", description: "pause between two GitHub writes of one installation (GitHub asks ≥ 1 s; 0 for a local stand-in)" },
  { name: "EVE_SHUTDOWN_GRACE", default: "300", description: "seconds a process stopping on SIGTERM lets running stages finish before it cancels them" },
  { name: "EVE_WORKER_LOST_AFTER", default: "60", description: "seconds without a heartbeat after which a stage's worker process counts as lost; its stage is retried once elsewhere" },
  { name: "EVE_REAP_INTERVAL", default: "300", description: "seconds between sweeps for containers and directories of dead stage runs (0: only at start-up)" },
  { name: "EVE_WORKER_METRICS_PORT", default: undefined, description: "port where `eve worker` serves /healthz, /readyz and /metrics (off when unset; `npm start` serves them on PORT)" },
  { name: "EVE_SECRETS_FILE", default: undefined, description: "file of NAME=VALUE lines, or a yaml mapping if it ends in .yaml/.yml (as `eve run --secrets`), for %(secret:name)s" },
  { name: "EVE_SECRET_<NAME>", default: undefined, description: "one secret per variable: %(secret:NAME)s; wins over the file and Vault" },
  { name: "VAULT_ADDR", default: undefined, description: "HashiCorp Vault address; turns the Vault secret source on" },
  { name: "VAULT_TOKEN", default: undefined, description: "Vault token that can read EVE_VAULT_PATH (required with VAULT_ADDR)" },
  { name: "VAULT_NAMESPACE", default: undefined, description: "Vault Enterprise namespace, if any" },
  { name: "EVE_VAULT_MOUNT", default: "secret", description: "mount of the KV version 2 engine" },
  { name: "EVE_VAULT_PATH", default: undefined, description: "KV secret whose keys are the secrets (required with VAULT_ADDR); re-read every 5 minutes" },
];
