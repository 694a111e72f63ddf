/**
 * Whose fault a failed pull is, from the engine's own answer (not guessed
 * from its message): an invalid reference (400) or an image the registry
 * does not have (404) is the build's (`failure`); the registry or the network
 * failing (500, or an error after the pull started) is Eve's infrastructure
 * (`exception`).
 */
import { ProvisionError, WorkerRefusedError } from "../types.js";

export interface PullFailure {
  error: string;
  statusCode?: number;
}

export function pullFailureError(image: string, failure: PullFailure): WorkerRefusedError | ProvisionError {
  if (failure.statusCode === 400 || failure.statusCode === 404) return new WorkerRefusedError(`image '${image}' cannot be pulled: ${failure.error}`);
  return new ProvisionError(`image '${image}' could not be pulled (registry or network): ${failure.error}`);
}
