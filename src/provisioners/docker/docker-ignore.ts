/**
 * `.dockerignore` as the Docker CLI reads it (moby/patternmatcher): Go glob
 * patterns with `**`, `!` exceptions where the last matching pattern wins,
 * and a pattern that matches a directory also excluding everything below it.
 */
import { posix } from "node:path";

interface Pattern {
  regex: RegExp;
  exclusion: boolean;
}

export interface DockerIgnore {
  /** Whether a `/`-separated path relative to the context is left out of it. */
  isIgnored(path: string): boolean;
  /** Whether any `!` pattern exists (then ignored directories must still be walked). */
  readonly hasExceptions: boolean;
}

export function parseDockerIgnore(text: string): DockerIgnore {
  const patterns: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const exclusion = line.startsWith("!");
    if (exclusion) line = line.slice(1).trim();
    line = posix.normalize(line).replace(/^\/+/, "").replace(/\/+$/, "");
    if (line === "" || line === ".") continue;
    patterns.push({ regex: globToRegExp(line), exclusion });
  }
  return {
    hasExceptions: patterns.some((pattern) => pattern.exclusion),
    isIgnored(path: string): boolean {
      const parts = path.split("/");
      let ignored = false;
      for (const pattern of patterns) {
        if (pattern.exclusion !== ignored) continue;
        // A pattern matching any parent directory matches the path (patternmatcher MatchesOrParentMatches).
        let match = pattern.regex.test(path);
        for (let depth = 1; !match && depth < parts.length; depth += 1) match = pattern.regex.test(parts.slice(0, depth).join("/"));
        if (match) ignored = !pattern.exclusion;
      }
      return ignored;
    },
  };
}

function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] ?? "";
    if (char === "*" && glob[i + 1] === "*") {
      // `**/` matches zero or more directories; a trailing `**` matches anything.
      if (glob[i + 2] === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (char === "*") out += "[^/]*";
    else if (char === "?") out += "[^/]";
    else if (char === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end === -1) out += "\\[";
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (char === "\\" && i + 1 < glob.length) {
      out += escape(glob[i + 1] ?? "");
      i += 1;
    } else out += escape(char);
  }
  return new RegExp(`^${out}$`);
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
