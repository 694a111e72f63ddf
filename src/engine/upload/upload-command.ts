/**
 * The command an `Upload` runs in the worker: a tar stream of every regular
 * file under the source on stdout (hidden files included, symlinks followed),
 * parsed by Eve as it arrives. Plain POSIX sh, `find` and `tar` as GNU and
 * BusyBox both have them, so every worker image that ran Eve's uploads can.
 *
 * When the worker is the Eve host itself (local workers), a symlink may point
 * at Eve's own files: then every directory and linked file is resolved in the
 * worker and only those inside the workspace are archived; the others are
 * refused with a line on stderr. Without symlinks under the source (the usual
 * case) one `tar` does it all.
 */
import type { StepCommand } from "../../provisioners/types.js";

/** Exit code of the script when the source itself is outside the workspace. */
export const SOURCE_OUTSIDE_WORKSPACE = 90;

/** Lines the script writes on stderr when it refuses a path start with this. */
export const REFUSAL_PREFIX = "eve-upload: refused";

// BusyBox find runs no `-exec … {} +` inside parentheses: the expression has none.
// $1: the workspace root (or "/" when the whole worker is the workspace). Runs in the source directory.
const SCRIPT = `
set -e
root=$(cd "$1" && pwd -P)
here=$(pwd -P)
inside() { [ "$root" = / ] || [ "$1" = "$root" ] || case "$1" in "$root"/*) true;; *) false;; esac; }
if ! inside "$here"; then echo "${REFUSAL_PREFIX}: the source $here is outside the workspace $root" >&2; exit ${SOURCE_OUTSIDE_WORKSPACE}; fi
if [ "$root" = / ]; then exec tar -c -h -f - .; fi
if [ -z "$(find . -type l -print | head -n 1)" ]; then exec tar -c -f - .; fi
export root
find -L . -type f -exec sh -c 'for f; do shift; if [ -h "$f" ]; then r=$(readlink -f -- "$f" 2>/dev/null) || r=; case "$r" in "$root"/*) ;; *) echo "${REFUSAL_PREFIX}: $f is a link that leaves the workspace" >&2; continue;; esac; fi; set -- "$@" "$f"; done; [ $# -eq 0 ] || tar -c -h -f - -- "$@"' sh {} + \\
  -o -type d ! -exec sh -c 'r=$(cd "$1" 2>/dev/null && pwd -P) && { [ "$r" = "$root" ] || case "$r" in "$root"/*) true;; *) false;; esac; } && exit 0; echo "${REFUSAL_PREFIX}: $1 is a link that leaves the workspace" >&2; exit 1' sh {} \\; -prune
`;

/** `sh -c SCRIPT sh <root>`: argv, so no name is ever parsed by a shell. */
export function getUploadCommand(workspaceRoot: string): StepCommand {
  return { argv: ["sh", "-c", SCRIPT, "sh", workspaceRoot] };
}
