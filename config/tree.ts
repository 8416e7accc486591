// Checks of the SPLAI source tree a stack points at: its mains (and extra ones), its chart and the chart's image keys.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as YAML from "yaml";
import { SPLAI_MAINS, type MainSpec } from "../shared/layout";
import { q } from "./format";
import type { RawSettings } from "./validate";

function hasPackageMain(dir: string): boolean {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
  return readdirSync(dir).some(
    (f) => f.endsWith(".go") && !f.endsWith("_test.go") && /^package main\b/m.test(readFileSync(join(dir, f), "utf8")),
  );
}

export function get(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Problems of the tree, the extra mains it declares, and its chart's base version. */
export function treeProblems(
  raw: RawSettings,
  source: string,
  chartPath: string,
): { problems: string[]; extras: MainSpec[]; chartBaseVersion: string } {
  const problems: string[] = [];
  let chartBaseVersion = "0.0.0";
  const extras: MainSpec[] = [];
  const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
  for (const [i, e] of (raw.extraMains ?? []).entries()) {
    const where = `extraMains[${i}]`;
    if (typeof e.pkg !== "string" || !e.pkg.startsWith("./"))
      problems.push(`${where}.pkg ${q(e.pkg)} must be a package path like ./cmd/<name>`);
    else if (!hasPackageMain(join(source, e.pkg)))
      problems.push(`${where}.pkg ${q(e.pkg)}: no 'package main' .go file in ${join(source, e.pkg)}`);
    if (typeof e.binary !== "string" || !NAME.test(e.binary))
      problems.push(`${where}.binary ${q(e.binary)} must be lower-case letters, digits and '-'`);
    if (e.image !== undefined && (typeof e.image !== "string" || !NAME.test(e.image)))
      problems.push(`${where}.image ${q(e.image)} must be lower-case letters, digits and '-'`);
    const clash = [...SPLAI_MAINS, ...extras].find(
      (m) => m.binary === e.binary || (e.image !== undefined && m.image === e.image),
    );
    if (clash) problems.push(`${where}: binary ${q(e.binary)} or image ${q(e.image)} is already used by ${clash.pkg}`);
    extras.push({
      pkg: String(e.pkg),
      binary: String(e.binary),
      image: typeof e.image === "string" ? e.image : undefined,
    });
  }
  if (!existsSync(join(source, "go.mod"))) {
    problems.push(
      `source ${q(raw.source ?? ".")}: no go.mod in ${source}; point splai-release:source at the root of a SPLAI checkout`,
    );
  } else {
    for (const m of SPLAI_MAINS) {
      if (!hasPackageMain(join(source, m.pkg)))
        problems.push(
          `source ${q(raw.source ?? ".")}: main package ${m.pkg} (binary ${m.binary}) is missing; expected a 'package main' .go file in ${join(source, m.pkg)}`,
        );
    }
  }
  const chartYaml = join(chartPath, "Chart.yaml");
  if (!existsSync(chartYaml)) {
    problems.push(`chartPath ${q(raw.chartPath ?? "charts/splai")}: no Chart.yaml in ${chartPath}`);
  } else {
    const chart = YAML.parse(readFileSync(chartYaml, "utf8")) as { version?: string | number };
    chartBaseVersion = String(chart.version ?? "");
    const values = existsSync(join(chartPath, "values.yaml"))
      ? (YAML.parse(readFileSync(join(chartPath, "values.yaml"), "utf8")) as unknown)
      : {};
    for (const m of SPLAI_MAINS.filter((x) => x.valuesKey)) {
      for (const leaf of ["repository", "tag"]) {
        if (get(values, [m.valuesKey!, "image", leaf]) === undefined) {
          problems.push(
            `chartPath ${q(raw.chartPath ?? "charts/splai")}: values.yaml lacks ${m.valuesKey}.image.${leaf}; the release pins ${m.valuesKey}'s image through it`,
          );
        }
      }
    }
  }

  return { problems, extras, chartBaseVersion };
}
