/**
 * `Upload`'s `urls` → the links a step shows, with Eve's rules
 * (`eve/steps/artifacts.py`): each entry is a glob relative to `source` (`*`
 * also matches `/`, as `find -path`) or a `[name, glob]` pair. A name with
 * `\1`-style back-references maps the glob's `*` (`(.*)`) and `?` (`(.)`)
 * groups; a name without them is a prefix to each match's file name, except
 * for a single match of a glob without wildcards, which gets the name as is.
 * Names shared by several files get ` (<path>)`. Only stored files get links.
 */
import { fnmatch } from "../../buildfile/fnmatch.js";
import { pythonStr } from "../../buildfile/python-values.js";
import { StepConfigError } from "../step-options.js";

export interface UploadLink {
  name: string;
  /** Path of the file in the container, relative, with `/` separators. */
  path: string;
}

interface UrlEntry {
  name?: string;
  glob: string;
}

/** The `urls` param, checked: a list of globs or `[name, glob]` pairs. */
export function readUrlsParam(raw: unknown): UrlEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new StepConfigError("urls must be a list of globs or [name, glob] pairs");
  return raw.map((entry: unknown) => {
    if (typeof entry === "string") return { glob: entry };
    if (Array.isArray(entry) && entry.length === 2) return { name: pythonStr(entry[0]), glob: pythonStr(entry[1]) };
    throw new StepConfigError(`urls entry ${JSON.stringify(entry)}: expected a glob or a [name, glob] pair`);
  });
}

const BACK_REFERENCE = /\\\d+/;

/** The links for `urls`, given the paths stored (relative to `source`), sorted by name then path as Eve did. */
export function getUploadLinks(urls: readonly UrlEntry[], stored: readonly string[]): UploadLink[] {
  const files = [...stored].sort();
  const found = new Map<string, UploadLink>();
  const add = (name: string, path: string) => found.set(JSON.stringify([name, path]), { name, path });
  for (const { name, glob } of urls) {
    const matches = files.filter((path) => fnmatch(`./${path}`, `./${glob}`));
    if (matches.length === 0) continue;
    const [only] = matches;
    if (matches.length === 1 && only !== undefined && !/[*?]/.test(glob) && name !== undefined) {
      add(name, only);
    } else if (name !== undefined && BACK_REFERENCE.test(name)) {
      for (const path of matches) add(substituteGroups(glob, name, path), path);
    } else {
      for (const path of matches) add(`${name ?? ""}${path.split("/").at(-1) ?? path}`, path);
    }
  }
  const links = [...found.values()].sort((a, b) => compare(a.name, b.name) || compare(a.path, b.path));
  const counts = new Map<string, number>();
  for (const link of links) counts.set(link.name, (counts.get(link.name) ?? 0) + 1);
  return links.map((link) => ((counts.get(link.name) ?? 0) > 1 ? { name: `${link.name} (${link.path})`, path: link.path } : link));
}

/**
 * Eve built a regex from the glob (`*` → `(.*)`, `?` → `(.)`, the rest as
 * written) and `re.sub`'d the name template over `./<path>`; a template the
 * regex does not match leaves `./<path>` as the name.
 */
function substituteGroups(glob: string, template: string, path: string): string {
  const subject = `./${path}`;
  let regex: RegExp;
  try {
    regex = new RegExp(`^\\./${glob.replace(/\*/g, "(.*)").replace(/\?/g, "(.)")}$`, "s");
  } catch {
    return subject;
  }
  const match = regex.exec(subject);
  if (!match) return subject;
  return template.replace(/\\(?:(\d+)|g<(\d+)>)/g, (_, digits: string | undefined, named: string | undefined) => match[Number(digits ?? named)] ?? "");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
