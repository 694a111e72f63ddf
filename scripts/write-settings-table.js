#!/usr/bin/env node
/**
 * Writes the settings table of docs/configuration.md from src/config/settings.ts
 * (through the build in dist/). Run by `npm run docs:settings` after a setting
 * was added or changed; src/config/settings-table.test.ts fails until then.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { SETTINGS } from "../dist/config/settings.js";
import { renderSettingsTable, replaceSettingsTable } from "../dist/config/settings-table.js";

const path = new URL("../docs/configuration.md", import.meta.url);
writeFileSync(path, replaceSettingsTable(readFileSync(path, "utf8"), renderSettingsTable(SETTINGS)));
