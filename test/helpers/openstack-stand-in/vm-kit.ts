/**
 * The VM kit (kernel, initramfs, sshd) the stand-in's servers boot from,
 * prepared once by scripts/prepare-vm-kit.sh and cached (EVE_VM_KIT_DIR, else
 * ~/.cache/eve/vm-kit). The first call downloads ~70 MB of Debian packages.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../../../scripts/prepare-vm-kit.sh", import.meta.url));
let kitDir: string | undefined;

export function ensureVmKit(): string {
  kitDir ??= execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  return kitDir;
}
