/** The instance label of everything `eve run` creates, so that `eve reap` finds what a killed run left. */
export const RUN_INSTANCE = "eve-run";
