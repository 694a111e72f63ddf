/**
 * The action button a failed check run offers. GitHub sends
 * `check_run.requested_action` with the identifier when someone with write
 * access presses it. Limits: ≤ 3 actions, label ≤ 20, description ≤ 40,
 * identifier ≤ 20 characters.
 */
export const RERUN_ACTION = "rerun";

export interface CheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export const FAILED_RUN_ACTIONS: readonly CheckRunAction[] = [{ label: "Re-run stage", description: "Run this stage again (a new attempt)", identifier: RERUN_ACTION }];
