/**
 * Eve's Prometheus metrics, one registry per process. Stage counters are
 * counted by the process that runs the stage; queue depths are read from
 * Redis when scraped (the same cluster-wide numbers from every process).
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry, collectDefaultMetrics } from "prom-client";

/** What another process of the same Eve reports: its registry as JSON (npm start's stage process). */
export type MetricsSource = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;

/** What `/metrics` serves, and the instruments the rest of Eve records into. */
export interface EveMetrics {
  /** This process's own instruments. */
  readonly registry: Registry;
  /** Counts in what `source` reports too, from the next scrape on. */
  addSource(source: MetricsSource): void;
  /** What `/metrics` and the operator page show: this process's registry, merged with its sources'. */
  gather(): Promise<Registry>;
  /** Stage jobs by queue state (waiting, prioritized, delayed, active, failed), read from Redis on scrape. */
  readonly queueJobs: Gauge<"worker_type" | "state">;
  /** Stages this process is running now. */
  readonly stagesRunning: Gauge<"worker_type">;
  readonly stagesFinished: Counter<"worker_type" | "result">;
  readonly stageDuration: Histogram<"worker_type" | "result">;
  /** From enqueue to a worker taking the stage. */
  readonly queueWait: Histogram<"worker_type">;
  readonly githubRequests: Counter<"method" | "status">;
  /** `x-ratelimit-remaining` of the last GitHub answer, per installation (or "app"). */
  readonly githubRateLimitRemaining: Gauge<"installation">;
  readonly reapedResources: Counter<"kind">;
  /** Stages handed to another worker after theirs was lost. */
  readonly stagesRecovered: Counter<"worker_type">;
  /** When each stage running now (cluster-wide, read from Redis on scrape) started, and on which worker process. */
  readonly stageStarted: Gauge<"worker_type" | "stage" | "run" | "process">;
  /** Worker processes alive (a heartbeat in Redis within EVE_WORKER_LOST_AFTER), with their capacity per worker type. */
  readonly workerCapacity: Gauge<"process" | "worker_type">;
  readonly workerHeartbeat: Gauge<"process">;
  /** When this process's reaper last swept, and what that sweep removed by kind. */
  readonly reaperLastSweep: Gauge;
  readonly reaperLastRemoved: Gauge<"kind">;
  /** GitHub writes waiting (or being sent) in this process, per installation. */
  readonly githubWriteBacklog: Gauge<"installation">;
}

const STAGE_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];
const WAIT_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export function createEveMetrics(): EveMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "eve_" });
  const registers = [registry];
  const sources: MetricsSource[] = [];
  return {
    registry,
    addSource: (source) => sources.push(source),
    // Counters and histograms add up; a gauge says how it merges where a sum would be wrong.
    gather: async () => (sources.length === 0 ? registry : AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), ...(await Promise.all(sources.map((source) => source())))])),
    queueJobs: new Gauge({ name: "eve_queue_jobs", help: "Stage jobs in the queues by state (cluster-wide, read from Redis)", labelNames: ["worker_type", "state"], registers }),
    stagesRunning: new Gauge({ name: "eve_stages_running", help: "Stages this process is running", labelNames: ["worker_type"], registers }),
    stagesFinished: new Counter({ name: "eve_stages_finished_total", help: "Stages finished by this process, by result", labelNames: ["worker_type", "result"], registers }),
    stageDuration: new Histogram({ name: "eve_stage_duration_seconds", help: "Run time of finished stages", labelNames: ["worker_type", "result"], buckets: STAGE_SECONDS, registers }),
    queueWait: new Histogram({ name: "eve_stage_queue_wait_seconds", help: "Time from enqueue to a worker taking the stage", labelNames: ["worker_type"], buckets: WAIT_SECONDS, registers }),
    githubRequests: new Counter({ name: "eve_github_requests_total", help: "Requests to GitHub's API by method and answer status (0: no answer)", labelNames: ["method", "status"], registers }),
    githubRateLimitRemaining: new Gauge({ name: "eve_github_rate_limit_remaining", help: "x-ratelimit-remaining of GitHub's last answer", labelNames: ["installation"], aggregator: "min", registers }),
    reapedResources: new Counter({ name: "eve_reaped_resources_total", help: "Containers, images and directories of dead stage runs removed", labelNames: ["kind"], registers }),
    stagesRecovered: new Counter({ name: "eve_stages_recovered_total", help: "Stages taken over after their worker process was lost", labelNames: ["worker_type"], registers }),
    stageStarted: new Gauge({ name: "eve_stage_started_timestamp_seconds", help: "Start time of each stage running now (cluster-wide, read from Redis)", labelNames: ["worker_type", "stage", "run", "process"], registers }),
    workerCapacity: new Gauge({ name: "eve_worker_process_capacity", help: "Stages a live worker process runs at once, per worker type (cluster-wide, from heartbeats in Redis)", labelNames: ["process", "worker_type"], registers }),
    workerHeartbeat: new Gauge({ name: "eve_worker_process_heartbeat_timestamp_seconds", help: "Last heartbeat of each live worker process (cluster-wide)", labelNames: ["process"], registers }),
    reaperLastSweep: new Gauge({ name: "eve_reaper_last_sweep_timestamp_seconds", help: "When this process's reaper last finished a sweep", aggregator: "max", registers }),
    reaperLastRemoved: new Gauge({ name: "eve_reaper_last_sweep_removed", help: "Resources this process's reaper's last sweep removed, by kind", labelNames: ["kind"], registers }),
    githubWriteBacklog: new Gauge({ name: "eve_github_write_backlog", help: "GitHub writes queued or in flight in this process, per installation", labelNames: ["installation"], registers }),
  };
}
