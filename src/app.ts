/** The Probot app: webhook wiring only; the handlers hold the logic. */
import type { ApplicationFunction } from "probot";
import { createPushHandler, type PushHandlerOptions } from "./handlers/on-push.js";

export type AppOptions = PushHandlerOptions;

export function createApp(options: AppOptions): ApplicationFunction {
  return (app) => {
    app.on("push", createPushHandler(options));
  };
}
