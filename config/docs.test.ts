// Pulumi.yaml's schema and the README's configuration table say what config/table.ts says, key for key.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { README_END, README_START, readmeConfigTable } from "./docs";
import { CONFIG, type ConfigEntry } from "./table";

const root = join(__dirname, "..");
const FIX = "run npm run docs:config after changing config/table.ts";

describe("the config table is the one source of the schema and the docs", () => {
  it("Pulumi.yaml declares exactly the table's keys with its types, defaults and descriptions", () => {
    const declared = (
      YAML.parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }
    ).config;
    assert.deepEqual(Object.keys(declared), Object.keys(CONFIG), FIX);
    for (const [key, e] of Object.entries(CONFIG) as [string, ConfigEntry][]) {
      assert.equal(declared[key].type, e.schemaType, `${key}: type (${FIX})`);
      assert.deepEqual(declared[key].default, e.default, `${key}: default (${FIX})`);
      assert.equal(declared[key].description, e.description, `${key}: description (${FIX})`);
    }
  });

  it("the README's configuration table is the table's", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const a = readme.indexOf(README_START);
    const b = readme.indexOf(README_END);
    assert.ok(a >= 0 && b > a, `README.md has the config-table markers (${FIX})`);
    const normalize = (t: string): string[] =>
      t
        .split("\n")
        .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
        .map((l) =>
          l
            .split("|")
            .map((c) => c.trim())
            .join("|"),
        );
    assert.deepEqual(normalize(readme.slice(a + README_START.length, b)), normalize(readmeConfigTable()), FIX);
  });

  it("every key with an environment fallback names a variable in upper case", () => {
    for (const [key, e] of Object.entries(CONFIG) as [string, ConfigEntry][])
      if (e.env !== undefined) assert.match(e.env, /^[A-Z][A-Z0-9_]*$/, key);
  });
});
