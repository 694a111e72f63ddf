/** Whether this process can read the file at `path`: settings naming files check them at start-up, not at first use. */
import { accessSync, constants } from "node:fs";

export function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
