/**
 * Probot's Octokit without its throttling plugin. Eve's GitHubWriteQueue
 * already spaces writes per installation and honours retry-after and the
 * secondary limits; the plugin would add a second, process-wide 1 s gap
 * between ALL writes, across installations. Probot's own defaults wrap this
 * class and pass their throttle options in, so the override is a function
 * (a plain defaults object would be overridden by Probot's).
 */
import { ProbotOctokit } from "probot";

type OctokitOptions = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

export function createEveOctokit(options: { retry?: boolean } = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((instance: OctokitOptions) => ({
    ...instance,
    throttle: { ...(instance.throttle ?? {}), enabled: false },
    ...(options.retry === false ? { retry: { enabled: false } } : {}),
  })) as typeof ProbotOctokit;
}
