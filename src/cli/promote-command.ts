/**
 * `eve promote --container NAME --tag TAG [--artifacts DIR]`: Eve's promotion
 * from the command line, for operators: the container is copied to
 * `<host>:<owner>:<repo>:<prefix with "promoted-"><TAG>` and kept forever.
 * The store is the app's (EVE_ARTIFACTS_*), or `eve run`'s folder with
 * `--artifacts`.
 */
import { parseArgs } from "node:util";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import { createArtifactStore } from "../artifacts/create-artifact-store.js";
import { DiskArtifactStore } from "../artifacts/disk-artifact-store.js";
import { promoteContainer } from "../artifacts/promote-container.js";
import { loadArtifactStoreSettings } from "../config/load-artifact-store-settings.js";
import { DEFAULT_ARTIFACTS_PREFIX } from "../engine/artifacts-properties.js";
import { UsageError } from "./usage-error.js";

const USAGE = "usage: eve promote --container NAME --tag TAG [--artifacts DIR]";

export async function promoteCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { container: { type: "string" }, tag: { type: "string" }, artifacts: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.container === undefined || values.tag === undefined) throw new UsageError(USAGE);
  let store: ArtifactStore;
  if (values.artifacts !== undefined) store = await new DiskArtifactStore(values.artifacts).init();
  else {
    const { settings, errors } = loadArtifactStoreSettings(process.env);
    if (errors.length > 0) {
      process.stderr.write(errors.map((error) => `eve promote: ${error}\n`).join(""));
      return 2;
    }
    store = await createArtifactStore(settings);
  }
  const result = await promoteContainer(store, values.container, values.tag, process.env.EVE_ARTIFACTS_PREFIX ?? DEFAULT_ARTIFACTS_PREFIX);
  if ("problem" in result) {
    process.stderr.write(`eve promote: ${result.problem}\n`);
    return 1;
  }
  process.stdout.write(`${result.promoted}\n`);
  return 0;
}
