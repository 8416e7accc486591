// `npm run docs:config`: writes Pulumi.yaml's config schema and the README's configuration table from config/table.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { README_END, README_START, readmeConfigTable, replaceBetween, withPulumiYamlConfig } from "../../config/docs";
import { info, runMain } from "../lib/log";
import { repoRoot } from "../lib/paths";

runMain(async () => {
  const yamlFile = join(repoRoot, "Pulumi.yaml");
  writeFileSync(yamlFile, withPulumiYamlConfig(readFileSync(yamlFile, "utf8")));
  const readme = join(repoRoot, "README.md");
  writeFileSync(readme, replaceBetween(readFileSync(readme, "utf8"), README_START, README_END, readmeConfigTable()));
  info("docs", "wrote the config schema of Pulumi.yaml and the README's configuration table from config/table.ts");
});
