/**
 * check_suite.rerequested → GitHub's "Re-run all checks": the whole build of
 * the commit again, from its top stage (which triggers the others anew).
 */
import type { Context } from "probot";
import { getLatestBuild, getStageRuns } from "../queue/build-registry.js";
import { rerunStage } from "../queue/rerun-stages.js";
import { lacksFields, type PayloadFields } from "./check-payload.js";
import { handleOnce } from "./claim-delivery.js";
import type { CheckRunHandlerOptions } from "./on-check-run.js";
import { loadRecordedBuildFile } from "./rerun-command.js";

/** What the handler reads. */
const FIELDS: PayloadFields = {
  "check_suite.head_sha": "string",
  "repository.id": "number",
  "installation.id": "number?",
  "sender.login": "string",
};

export function createCheckSuiteHandler(options: CheckRunHandlerOptions): (context: Context<"check_suite.rerequested">) => Promise<void> {
  return async (context) => {
    if (lacksFields(context, FIELDS)) return;
    const { payload } = context;
    const sha = payload.check_suite.head_sha;
    await handleOnce(options.queues, context.id, async () => {
      const build = await getLatestBuild(options.queues, payload.repository.id, sha);
      const runs = build === undefined ? [] : await getStageRuns(options.queues, build);
      const top = runs.filter((entry) => entry.data.parent === undefined).at(-1);
      const buildFile = build === undefined ? undefined : await loadRecordedBuildFile(options, build);
      if (!top || !buildFile || top.data.installationId !== payload.installation?.id) {
        context.log.info(`Re-run of every check of ${sha.slice(0, 7)}: Eve has no record of its build`);
        return;
      }
      const run = await rerunStage({ queues: options.queues, reporter: options.reporter, buildFile, runs, stage: top.data.stage.stage, requestedBy: payload.sender.login });
      context.log.info(`Re-run of build ${top.data.stage.build} from ${top.data.stage.stage} by ${payload.sender.login}: attempt ${run?.attempt ?? "?"}`);
    });
  };
}
