import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "./settings.js";
import { renderSettingsTable, replaceSettingsTable } from "./settings-table.js";

describe("docs/configuration.md", () => {
  it("lists exactly the settings of SETTINGS (npm run docs:settings writes the table)", () => {
    const doc = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");

    expect(replaceSettingsTable(doc, renderSettingsTable(SETTINGS))).toBe(doc);
  });

  it("names every setting once", () => {
    const names = SETTINGS.map((setting) => setting.name);

    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });
});
