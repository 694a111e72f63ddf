/**
 * An artifact page URL → what it asks for, with Eve's URL shapes
 * (scality/artifacts): `/builds/<container>/<path>`, `/download/<container>/<path>`,
 * `/zip/<container>/<folder>`, `/last_success/<prefix>`, `/latest/<prefix>`.
 * The path is checked on the raw URL, before any decoding or normalising:
 * `//`, `.` and `..` segments (encoded or not) are refused, and each decoded
 * segment must be a name the store accepts.
 */
import { ArtifactNameError } from "../artifacts/artifact-errors.js";
import { validateArtifactPath, validateContainerName, validateContainerPrefix } from "../artifacts/validate-artifact-name.js";

export type ArtifactRequest =
  /** A file, or a folder when `path` ends with `/` (or is empty). */
  | { kind: "entry"; container: string; path: string; folder: boolean; route: "builds" | "download" }
  | { kind: "zip"; container: string; path: string }
  /** `/builds/<container>` without its slash: Eve redirected to the listing. */
  | { kind: "slash"; location: string }
  | { kind: "lookup"; prefix: string; successful: boolean };

export type ParsedArtifactRequest = { request: ArtifactRequest } | { status: 400 | 404; message: string };

const ROUTES = ["builds", "download", "zip", "last_success", "latest"] as const;

/** `rawPath`: the request's path below the artifacts base path, still percent-encoded, query removed. */
export function parseArtifactRequest(rawPath: string): ParsedArtifactRequest {
  if (rawPath.includes("//")) return { status: 400, message: "a path with '//' is refused" };
  const rawSegments = rawPath.replace(/^\//, "").split("/");
  const [route, ...rest] = rawSegments;
  if (!(ROUTES as readonly string[]).includes(route ?? "")) return { status: 404, message: "no such page" };
  let segments: string[];
  try {
    segments = rest.map((segment) => decodeSegment(segment));
  } catch (error) {
    if (error instanceof ArtifactNameError || error instanceof URIError) return { status: 400, message: error.message };
    throw error;
  }
  try {
    if (route === "last_success" || route === "latest") {
      const prefix = segments.join("/");
      if (prefix.includes("/")) return { status: 400, message: "a container prefix has no '/'" };
      return { request: { kind: "lookup", prefix: validateContainerPrefix(prefix), successful: route === "last_success" } };
    }
    const [container = "", ...inside] = segments;
    if (container === "") return { status: 404, message: "no container named" };
    validateContainerName(container);
    if (inside.length === 0) return { request: { kind: "slash", location: `${route}/${encodeURIComponent(container)}/` } };
    const folder = inside.at(-1) === "";
    const path = (folder ? inside.slice(0, -1) : inside).join("/");
    if (path !== "") validateArtifactPath(path);
    if (route === "zip") return { request: { kind: "zip", container, path } };
    return { request: { kind: "entry", container, path, folder, route: route === "builds" ? "builds" : "download" } };
  } catch (error) {
    if (error instanceof ArtifactNameError) return { status: 400, message: error.message };
    throw error;
  }
}

/** One segment, decoded; dot segments in any spelling are refused before decoding hides them. */
function decodeSegment(raw: string): string {
  if (/^(?:\.|%2e){1,2}$/i.test(raw)) throw new ArtifactNameError(`a '${raw}' segment is refused`);
  const decoded = decodeURIComponent(raw);
  if (decoded.includes("/")) throw new ArtifactNameError("an encoded '/' in a segment is refused");
  return decoded;
}
