import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mapCloudName } from "./map-cloud-name.js";

const dir = mkdtempSync(join(tmpdir(), "eve-mapping-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "os_mapping.yaml");
writeFileSync(file, ["ovh_GRA5:", "  - image: {original_value: CentOS 7, new_value: Centos 7}", "ovh:", "  - flavor: {original_value: m1.medium, new_value: b2-7}", "  - image: {original_value: Ubuntu, new_value: Ubuntu 22.04}", ""].join("\n"));

describe("mapCloudName (Eve's OS_MAPPING_FILE_PATH)", () => {
  it.each([
    ["provider_region first", { provider: "ovh", region: "GRA5" }, "image", "CentOS 7", "Centos 7"],
    ["falls back to the provider", { provider: "ovh", region: "GRA5" }, "flavor", "m1.medium", "m1.medium"],
    ["the provider alone", { provider: "ovh", region: "BHS" }, "flavor", "m1.medium", "b2-7"],
    ["unmapped names stay", { provider: "ovh", region: undefined }, "image", "Debian", "Debian"],
    ["another provider", { provider: "aws", region: undefined }, "image", "CentOS 7", "CentOS 7"],
  ] as const)("%s", (_, where, field, value, expected) => {
    expect(mapCloudName({ mappingFile: file, ...where }, field, value)).toBe(expected);
  });

  it("renames nothing when the file is missing or malformed, as Eve", () => {
    writeFileSync(join(dir, "bad.yaml"), "ovh: [unclosed");

    expect(mapCloudName({ mappingFile: join(dir, "missing.yaml"), provider: "ovh", region: undefined }, "image", "Ubuntu")).toBe("Ubuntu");
    expect(mapCloudName({ mappingFile: join(dir, "bad.yaml"), provider: "ovh", region: undefined }, "image", "Ubuntu")).toBe("Ubuntu");
  });
});
