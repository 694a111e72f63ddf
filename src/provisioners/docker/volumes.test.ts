import { describe, expect, it } from "vitest";
import { parseVolumes } from "./volumes.js";

describe("parseVolumes", () => {
  it("reads anonymous volumes, named volumes and allowed bind mounts", () => {
    const result = parseVolumes(["/home/eve/workspace", "cache:/cache", "cache:/ro-cache:ro", "/srv/ci/data:/data:rw"], ["/srv/ci"]);

    expect(result).toEqual({
      ok: true,
      volumes: {
        anonymous: ["/home/eve/workspace"],
        mounts: [
          { type: "volume", source: "cache", target: "/cache", readOnly: false },
          { type: "volume", source: "cache", target: "/ro-cache", readOnly: true },
          { type: "bind", source: "/srv/ci/data", target: "/data", readOnly: false },
        ],
      },
    });
  });

  it.each([
    ["/var/run/docker.sock:/var/run/docker.sock", [], "volume '/var/run/docker.sock:/var/run/docker.sock': mounting host path '/var/run/docker.sock' is not allowed on this Eve (the operator lists the host paths builds may mount)"],
    ["/srv/cinema:/x", ["/srv/ci"], "volume '/srv/cinema:/x': mounting host path '/srv/cinema' is not allowed on this Eve (the operator lists the host paths builds may mount)"],
    ["/srv/ci/../../etc:/x", ["/srv/ci"], "volume '/srv/ci/../../etc:/x': '/srv/ci/../../etc' is neither a volume name nor an absolute host path without '..'"],
    ["relative/dir", [], "volume 'relative/dir': the container path 'relative/dir' must be absolute"],
    ["cache:/x:z", [], "volume 'cache:/x:z': unknown mode 'z' (ro or rw)"],
    ["cache:relative", [], "volume 'cache:relative': the container path 'relative' must be absolute"],
    ["./here:/x", ["/"], "volume './here:/x': './here' is neither a volume name nor an absolute host path without '..'"],
  ])("refuses %s", (spec, allowed, message) => {
    expect(parseVolumes([spec], allowed)).toEqual({ ok: false, message });
  });
});
