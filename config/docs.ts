// Pulumi.yaml's config schema and the README's configuration table, written from the config table (npm run docs:config).
import * as YAML from "yaml";
import { CONFIG, type ConfigEntry } from "./table";

const entries = (): [string, ConfigEntry][] => Object.entries(CONFIG);

/** The `config:` block of Pulumi.yaml. */
export function pulumiYamlConfig(): string {
  const config: Record<string, Record<string, unknown>> = {};
  for (const [key, e] of entries()) {
    config[key] = {
      ...(e.schemaType ? { type: e.schemaType } : {}),
      ...(e.schemaType === "array" ? { items: { type: "string" } } : {}),
      description: e.description,
      default: e.default,
    };
  }
  return YAML.stringify({ config }, { lineWidth: 0 });
}

export const README_START = "<!-- config-table:start (npm run docs:config writes this table from config/table.ts) -->";
export const README_END = "<!-- config-table:end -->";

/** The README's configuration table, in the table's order. */
export function readmeConfigTable(): string {
  const rows = entries().map(
    ([key, e]) => `| \`${key}\`${e.kind === "secret" ? " (secret)" : ""} | ${e.readme.default} | ${e.readme.meaning} |`,
  );
  return ["| key | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** Replaces the text between two markers (kept) with `body`; fails when a marker is missing. */
export function replaceBetween(text: string, start: string, end: string, body: string): string {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`markers '${start}' … '${end}' not found`);
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

/** Pulumi.yaml with its `config:` block (the file's last block) written from the table. */
export function withPulumiYamlConfig(pulumiYaml: string): string {
  const at = pulumiYaml.search(/^config:$/m);
  if (at < 0) throw new Error("Pulumi.yaml has no top-level config: block");
  return `${pulumiYaml.slice(0, at)}${pulumiYamlConfig()}`;
}
