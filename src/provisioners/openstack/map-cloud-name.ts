/**
 * Eve's operator mapping file (OS_MAPPING_FILE_PATH, RELENG-2975): an image or
 * flavor name of a build file renamed for one provider and region, e.g.
 *
 *   ovh_GRA5:
 *     - image: {original_value: CentOS 7, new_value: Centos 7}
 *     - flavor: {original_value: m1.medium, new_value: b2-7}
 *
 * `<OS_PROVIDER>_<OS_REGION_NAME>` is looked up first, then `<OS_PROVIDER>`.
 * As in Eve, a file that cannot be read or parsed renames nothing (the name
 * then fails to resolve, naming itself).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface MappingSource {
  mappingFile: string | undefined;
  provider: string | undefined;
  region: string | undefined;
}

export function mapCloudName(source: MappingSource, field: "image" | "flavor", value: string): string {
  if (source.mappingFile === undefined || source.provider === undefined) return value;
  let mapping: unknown;
  try {
    mapping = parse(readFileSync(source.mappingFile, "utf8"));
  } catch {
    return value;
  }
  if (!mapping || typeof mapping !== "object") return value;
  const byProvider = mapping as Record<string, unknown>;
  const chunks = (source.region !== undefined ? byProvider[`${source.provider}_${source.region}`] : undefined) ?? byProvider[source.provider];
  if (!Array.isArray(chunks)) return value;
  for (const chunk of chunks) {
    const section = chunk && typeof chunk === "object" ? (chunk as Record<string, unknown>)[field] : undefined;
    if (!section || typeof section !== "object") continue;
    const { original_value: original, new_value: renamed } = section as { original_value?: unknown; new_value?: unknown };
    if (original === value && typeof renamed === "string") return renamed;
  }
  return value;
}
