/**
 * The command line of `eve run`. Wrong usage is a UsageError (exit 2).
 */
import { UsageError } from "./usage-error.js";

export interface RunArgs {
  dir: string;
  /** Relative to `dir` unless absolute. */
  file: string;
  stage?: string;
  branch?: string;
  properties: Record<string, string>;
  secretsFile?: string;
  reportFile?: string;
  /** Where Upload stores artifacts (a disk store of plain files). */
  artifactsDir?: string;
  help: boolean;
}

export const RUN_USAGE = `Usage: eve run [--dir DIR] [--file PATH] [--stage NAME | --branch NAME]
               [--property KEY=VALUE]... [--secrets FILE] [--report FILE.json]
               [--artifacts DIR]

Run a build on this machine with the engine the app uses.

  --dir DIR             the repository (default: the current directory)
  --file PATH           the build file, relative to DIR (default: eve/main.yml)
  --stage NAME          run this stage (ignores the branches map)
  --branch NAME         pick the stage through the file's branches map as for
                        this branch (default: DIR's current git branch)
  --property KEY=VALUE  set a build property, as a forced build does (repeatable)
  --secrets FILE        secrets for %(secret:NAME)s: one NAME=VALUE per line
                        (blank lines and lines starting with # are ignored),
                        or a yaml mapping of names to values (FILE.yaml/.yml)
  --artifacts DIR       where Upload steps store artifacts, as plain files under
                        DIR/containers/<artifacts_name>/files/ (default:
                        <tmpdir>/eve-workspaces/artifacts); the final table
                        says where each link points
  --report FILE.json    write the result as JSON:
                        {"result", "stages": [{"name", "result", "durationMs",
                         "steps": [{"name", "result", "durationMs", "exitCode"}]}]}

Stages use the worker settings of the environment, as the app does
(DOCKER_HOST, EVE_DOCKER_*, EVE_KUBE_*; docs/configuration.md), and so do
the limits on triggered stages (EVE_MAX_STAGES_PER_BUILD,
EVE_MAX_TRIGGER_DEPTH).

When no branch pattern matches and there is no default, nothing runs: the
result is skipped and the exit status 0.
Exit status: 0 success or warnings (or skipped), 1 failure, cancelled or
exception, 2 invalid build file, usage error or bad setting. Ctrl-C
cancels the build.
`;

export function parseRunArgs(args: string[]): RunArgs {
  const parsed: RunArgs = { dir: ".", file: "eve/main.yml", properties: {}, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value\n\n${RUN_USAGE}`);
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        parsed.help = true;
        break;
      case "--dir":
        parsed.dir = value();
        break;
      case "--file":
        parsed.file = value();
        break;
      case "--stage":
        parsed.stage = value();
        break;
      case "--branch":
        parsed.branch = value();
        break;
      case "--secrets":
        parsed.secretsFile = value();
        break;
      case "--report":
        parsed.reportFile = value();
        break;
      case "--artifacts":
        parsed.artifactsDir = value();
        break;
      case "--property": {
        const pair = value();
        const sep = pair.indexOf("=");
        if (sep <= 0) throw new UsageError(`--property expects KEY=VALUE, not '${pair}'`);
        parsed.properties[pair.slice(0, sep)] = pair.slice(sep + 1);
        break;
      }
      default:
        throw new UsageError(`unknown argument '${arg}'\n\n${RUN_USAGE}`);
    }
  }
  if (parsed.stage !== undefined && parsed.branch !== undefined) throw new UsageError("give --stage or --branch, not both");
  return parsed;
}
