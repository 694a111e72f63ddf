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
  { name: "DOCKER_HOST", default: "unix:///var/run/docker.sock", description: "Docker Engine of docker workers (and of kube_pod image builds): unix:///path or tcp://host:port, as for the docker CLI" },
  { name: "DOCKER_TLS_VERIFY", default: "off", description: "talk TLS to a tcp:// DOCKER_HOST and verify its certificate (1/0, on/off)" },
  { name: "DOCKER_CERT_PATH", default: "~/.docker", description: "directory of ca.pem, cert.pem and key.pem, with DOCKER_TLS_VERIFY" },
  { name: "EVE_DOCKER_MAX_MEMORY", default: "4G", description: "ceiling and default of a docker stage's memory, Docker units (Eve's DOCKER_CONTAINER_MAX_MEMORY); above it the stage fails" },
  { name: "EVE_DOCKER_CPUS", default: "1", description: "CPUs given to every docker worker container (Eve's DOCKER_CONTAINER_MAX_CPU)" },
  { name: "EVE_DOCKER_NETWORK", default: "none", description: "network mode of docker worker containers: none, host, bridge or a network's name" },
  { name: "EVE_DOCKER_PRIVILEGED", default: "off", description: "run docker worker containers privileged (Eve always did; it hands the host to any build)" },
  { name: "EVE_DOCKER_MOUNT_SOCKET", default: "off", description: "mount the engine's socket into docker worker containers (Eve always did; same warning)" },
  { name: "EVE_DOCKER_BIND_PATHS", default: undefined, description: "host paths (comma-separated, absolute) under which docker `volumes` may bind-mount; unset refuses every bind mount" },
  { name: "EVE_DOCKER_MAX_IMAGES", default: "20", description: "worker images kept on the engine; the least recently used beyond it are removed" },
  { name: "EVE_KUBE_ACCESS", default: "in-cluster", description: "how kube_pod workers reach the cluster: in-cluster (Eve's pod's service account), kubeconfig or token; unset: token if EVE_KUBE_SERVER is set, kubeconfig if EVE_KUBE_CONFIG is" },
  { name: "EVE_KUBE_CONFIG", default: "$KUBECONFIG or ~/.kube/config", description: "kubeconfig file, with EVE_KUBE_ACCESS=kubeconfig" },
  { name: "EVE_KUBE_CONTEXT", default: undefined, description: "context of the kubeconfig to use (default: its current-context)" },
  { name: "EVE_KUBE_SERVER", default: undefined, description: "API server URL, with EVE_KUBE_ACCESS=token" },
  { name: "EVE_KUBE_TOKEN", default: undefined, description: "bearer token for EVE_KUBE_SERVER (a secret: give it from a Secret; never logged)" },
  { name: "EVE_KUBE_CA_FILE", default: undefined, description: "PEM CA of EVE_KUBE_SERVER (default: the system's CAs)" },
  { name: "EVE_KUBE_SKIP_TLS_VERIFY", default: "off", description: "do not verify EVE_KUBE_SERVER's certificate (on/off)" },
  { name: "EVE_KUBE_NAMESPACE", default: "<Eve's pod's namespace, the context's, or default>", description: "namespace of kube_pod worker pods (Eve's KUBE_POD_NAMESPACE)" },
  { name: "EVE_KUBE_REGISTRY", default: undefined, description: "registry that kube_pod `images` are pushed to and the cluster pulls from, e.g. registry.example.com/eve" },
  { name: "EVE_KUBE_MAX_CPU", default: "1", description: "cpu ceiling of each container and of each pod, a Kubernetes quantity (Eve's KUBE_POD_MAX_CPU)" },
  { name: "EVE_KUBE_MAX_MEMORY", default: "4G", description: "memory ceiling of each container and of each pod, a Kubernetes quantity (Eve's KUBE_POD_MAX_MEMORY)" },
  { name: "EVE_KUBE_ACTIVE_DEADLINE", default: "86400", description: "ceiling and default of a pod's activeDeadlineSeconds (Eve's KUBE_POD_ACTIVE_DEADLINE)" },
  { name: "EVE_KUBE_START_TIMEOUT", default: "600", description: "seconds a pod may take to be Running before its stage fails" },
  { name: "EVE_KUBE_DELETE_GRACE", default: "240", description: "seconds a deleted pod may linger before it is force-deleted" },
  { name: "EVE_KUBE_NODE_AFFINITY", default: undefined, description: "JSON of a Kubernetes NodeAffinity set on every pod (Eve's KUBE_POD_NODE_AFFINITY); templates may not set affinity" },
  { name: "EVE_KUBE_TOLERATIONS", default: undefined, description: "JSON list of Kubernetes tolerations added to every pod" },
  { name: "EVE_KUBE_SERVICES", default: undefined, description: "yaml or JSON file listing the clusters offered to `service` stages: [{attributes, access, server?, caData?, skipTlsVerify?}] (docs/kubernetes.md)" },
  { name: "EVE_SECRETS_FILE", default: undefined, description: "file of NAME=VALUE lines, or a yaml mapping if it ends in .yaml/.yml (as `eve run --secrets`), for %(secret:name)s" },
  { name: "EVE_SECRET_<NAME>", default: undefined, description: "one secret per variable: %(secret:NAME)s; wins over the file and Vault" },
  { name: "VAULT_ADDR", default: undefined, description: "HashiCorp Vault address; turns the Vault secret source on" },
  { name: "VAULT_TOKEN", default: undefined, description: "Vault token that can read EVE_VAULT_PATH (required with VAULT_ADDR)" },
  { name: "VAULT_NAMESPACE", default: undefined, description: "Vault Enterprise namespace, if any" },
  { name: "EVE_VAULT_MOUNT", default: "secret", description: "mount of the KV version 2 engine" },
  { name: "EVE_VAULT_PATH", default: undefined, description: "KV secret whose keys are the secrets (required with VAULT_ADDR); re-read every 5 minutes" },
];
