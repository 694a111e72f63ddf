/**
 * check_run → the check run's own buttons: GitHub's "Re-run"
 * (`rerequested`) and Eve's "Re-run stage" action (`requested_action`) run
 * that stage again as a new attempt of its build (a new check run with the
 * same name). GitHub offers both only to people with write access. The stage
 * run comes from the check run's `external_id`, which only Eve writes.
 */
import type { Context } from "probot";
import { getStageRuns } from "../queue/build-registry.js";
import { getLatestStageRuns, rerunStage } from "../queue/rerun-stages.js";
import { RERUN_ACTION } from "../reporting/check-run-actions.js";
import { parseExternalId } from "../reporting/external-id.js";
import { lacksFields, type PayloadFields } from "./check-payload.js";
import { handleOnce } from "./claim-delivery.js";
import type { CommandOptions } from "./command-target.js";
import { loadRecordedBuildFile } from "./rerun-command.js";

export type CheckRunHandlerOptions = Pick<CommandOptions, "queues" | "reporter" | "buildFilePath">;

export const CHECK_RUN_EVENTS = ["check_run.rerequested", "check_run.requested_action"] as const;

/** What the handler reads. */
const FIELDS: PayloadFields = {
  action: "string",
  "requested_action.identifier": "string?",
  check_run: "object",
  "check_run.external_id": "string?",
  "repository.id": "number",
  "installation.id": "number?",
  "sender.login": "string",
};

export function createCheckRunHandler(options: CheckRunHandlerOptions): (context: Context<(typeof CHECK_RUN_EVENTS)[number]>) => Promise<void> {
  return async (context) => {
    if (lacksFields(context, FIELDS)) return;
    const { payload } = context;
    if (payload.action === "requested_action" && payload.requested_action?.identifier !== RERUN_ACTION) return;
    const stage = parseExternalId(payload.check_run.external_id);
    if (!stage) return;
    await handleOnce(options.queues, context.id, async () => {
      const runs = await getStageRuns(options.queues, stage.build);
      const entry = runs.find((run) => run.data.stage.run === stage.run);
      // Another repository's (or installation's) id cannot re-run this one's builds.
      if (!entry || entry.data.repository.id !== payload.repository.id || entry.data.installationId !== payload.installation?.id) {
        context.log.info(`Re-run of ${stage.stage}: Eve has no record of run ${stage.run}`);
        return;
      }
      const buildFile = await loadRecordedBuildFile(options, stage.build);
      const statuses = await getLatestStageRuns(options.queues, runs);
      if (!buildFile || statuses.some((status) => status.entry.data.stage.stage === stage.stage && status.state === "running")) {
        context.log.info(`Re-run of ${stage.stage} (build ${stage.build}) not started: ${buildFile ? "it is running" : "the build has expired"}`);
        return;
      }
      const run = await rerunStage({ queues: options.queues, reporter: options.reporter, buildFile, runs, stage: stage.stage, run: stage.run, requestedBy: payload.sender.login });
      context.log.info(`Re-run of ${stage.stage} (build ${stage.build}) by ${payload.sender.login}: attempt ${run?.attempt ?? "?"}`);
    });
  };
}
