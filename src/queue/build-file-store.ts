/**
 * The build file a build started with, kept in Redis for its stage runs:
 * every stage of a build runs the same file without asking GitHub again.
 * (Not a secret: it is the repository's own file.) Beside its text, the
 * app's validated result, v8-serialized: a process that runs the build's
 * stages takes it (~2 ms for a 1,000-stage file) rather than parse the text
 * again (a large file's parse takes 100–300 ms before the first stage can
 * start), and keeps it for the build's other stages. A stored form it cannot
 * take (another Eve version's) and it validates the text itself.
 */
import { deserialize, serialize } from "node:v8";
import type { BuildFile } from "../buildfile/types.js";
import type { StageQueues } from "./queues.js";
import { RecentlyUsed } from "./recently-used.js";
import { validateAppBuildFile } from "./validated-build-files.js";

const TTL_SECONDS = 7 * 24 * 3600;
/** The stored validated form: change it whenever BuildFile's shape changes, so that other versions parse the text. */
const VALIDATED_FORMAT = 1;
/** Builds whose file a process keeps (the oldest used goes first): a build file never changes. */
const KEPT = 32;
const kept = new RecentlyUsed<string, BuildFile>(KEPT);

type Store = Pick<StageQueues, "redis" | "prefix">;

export async function saveBuildFile(queues: Store, build: string, text: string, buildFile: BuildFile): Promise<void> {
  const validated = serialize({ format: VALIDATED_FORMAT, buildFile });
  const replies = await queues.redis.multi().set(textKey(queues, build), text, "EX", TTL_SECONDS).set(validatedKey(queues, build), validated, "EX", TTL_SECONDS).exec();
  const failed = replies?.find(([error]) => error);
  if (failed) throw failed[0];
}

/** The build's file, validated; "expired" once Redis no longer keeps it, "invalid" for a text that does not validate. */
export async function loadBuildFile(queues: Store, build: string, path: string): Promise<BuildFile | "expired" | "invalid"> {
  const key = validatedKey(queues, build);
  const known = kept.get(key);
  if (known) return known;
  let buildFile = takeValidated(await queues.redis.getBuffer(key));
  if (buildFile === undefined) {
    const text = await queues.redis.get(textKey(queues, build));
    if (text === null) return "expired";
    buildFile = validateAppBuildFile(text, path).buildFile;
    if (buildFile === undefined) return "invalid";
  }
  kept.set(key, buildFile);
  return buildFile;
}

/** The stored validated form, when it is one this version wrote (Redis is Eve's own: no one else writes it). */
function takeValidated(stored: Buffer | null): BuildFile | undefined {
  if (stored === null) return undefined;
  try {
    const { format, buildFile } = deserialize(stored) as { format?: unknown; buildFile?: BuildFile };
    return format === VALIDATED_FORMAT && buildFile?.stages instanceof Map ? buildFile : undefined;
  } catch {
    return undefined;
  }
}

function textKey(queues: Store, build: string): string {
  return `${queues.prefix}:build:${build}:file`;
}

function validatedKey(queues: Store, build: string): string {
  return `${queues.prefix}:build:${build}:validated`;
}
