// A release plan as Markdown, for a job summary or a pull-request comment, cut to fit when it is long.
import { basename } from "node:path";
import type { Change } from "./events";
import type { ReleasePlan } from "./plan";
import { KNOWN_AFTER_UP, type ValueChange } from "./values";

const VERB: Readonly<Record<Change, string>> = {
  create: "create",
  update: "update",
  replace: "replace",
  delete: "delete",
  same: "unchanged",
  read: "read",
};

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export interface MarkdownOptions {
  /** Longest Markdown wanted (a pull-request comment holds 65,536 characters); detail is dropped to fit. Default 60,000. */
  readonly maxChars?: number;
  /** Command that applies the saved update plan, shown with it. */
  readonly applyCommand?: string;
}

function valueLines(values: readonly ValueChange[]): string[] {
  const lines: string[] = [];
  for (const v of values) {
    if (v.before !== undefined) lines.push(`- ${v.path}: ${v.before}`);
    if (v.after !== undefined) lines.push(`+ ${v.path}: ${v.after}`);
  }
  return lines;
}

/** The plan as Markdown for a job summary or pull-request comment. Markdown only: no HTML except one `<details>`. */
export function renderMarkdown(plan: ReleasePlan, opts: MarkdownOptions = {}): string {
  const max = opts.maxChars ?? 60_000;
  const render = (detail: { resources: boolean; valueLimit: number; binaries: boolean }): string => {
    const out: string[] = [];
    const v = plan.versions;
    out.push(`## Release plan for stack ${code(plan.stack)}`, "");
    if (v) {
      const what = v.mode === "tag" ? `tag ${code(v.ref)}` : `branch ${code(v.ref)}`;
      out.push(
        `**SPLAI ${v.app}** from ${what} at ${code(v.commit.slice(0, 12))}: chart ${code(v.chart)}, image tags ${v.imageTags.map(code).join(", ")}` +
          (v.sourceDateEpoch === undefined ? "." : `, SOURCE_DATE_EPOCH ${code(String(v.sourceDateEpoch))}.`),
        "",
      );
    }
    if (plan.promotedFrom) {
      const pf = plan.promotedFrom;
      out.push(
        `**Promotion** of ${code(pf.stack)} build ${code(pf.version)} (commit ${code(pf.sha.slice(0, 12))}): nothing is built; the release tags point at dev's image digests and dev's binaries are released.`,
        "",
      );
    }
    const c = plan.counts;
    out.push(
      "| create | update | replace | delete | unchanged |",
      "|---:|---:|---:|---:|---:|",
      `| ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} |`,
      "",
    );
    if (plan.resources.length === 0)
      out.push("Nothing changes: the `up` would build, push, deploy and publish nothing.", "");

    if (plan.images.length > 0) {
      out.push("### Images", "", "| Image | Tags | Platforms | Change | Digest |", "|---|---|---|---|---|");
      for (const i of plan.images) {
        const digest = i.digest === KNOWN_AFTER_UP ? "new, known after the build" : code(i.digest);
        const platforms =
          i.promotedFrom !== undefined
            ? `dev's: ${code(i.promotedFrom.slice(0, i.promotedFrom.lastIndexOf("@")))}`
            : i.platforms.join(", ");
        out.push(
          `| ${code(i.repository)} | ${i.tags.map(code).join(", ")} | ${platforms} | ${VERB[i.change]} | ${digest} |`,
        );
      }
      out.push("");
    }
    if (plan.binaries.length > 0) {
      const rebuilt = plan.binaries.filter((b) => b.change !== "same");
      out.push("### Binaries", "");
      if (rebuilt.length === 0) out.push(`All ${plan.binaries.length} binaries stay as they are.`);
      else if (plan.promotedFrom)
        out.push(`${rebuilt.length} of dev's binaries are copied (checked against dev's SHA256SUMS), not built.`);
      else if (!detail.binaries || rebuilt.length === plan.binaries.length)
        out.push(`${rebuilt.length} of ${plan.binaries.length} binaries are built.`);
      else
        out.push(
          `${rebuilt.length} of ${plan.binaries.length} binaries are built: ${rebuilt.map((b) => code(b.file)).join(", ")}.`,
        );
      out.push("");
    }
    if (plan.chart) {
      const ch = plan.chart;
      const from = ch.previous !== undefined && ch.previous !== ch.version ? ` (was ${code(ch.previous)})` : "";
      out.push(
        "### Helm chart",
        "",
        `${code(ch.ref)} version ${code(ch.version)}${from}, alias ${code(ch.alias)}: **${VERB[ch.change]}**.`,
        "",
      );
    }
    if (plan.helm) {
      const h = plan.helm;
      const cv =
        h.chartVersion.before !== undefined && h.chartVersion.before !== h.chartVersion.after
          ? `${code(h.chartVersion.before)} → ${code(h.chartVersion.after)}`
          : code(h.chartVersion.after);
      out.push(
        `### Helm release ${code(h.release)} in ${code(h.namespace)}`,
        "",
        `**${VERB[h.change]}**, chart version ${cv}.`,
        "",
      );
      if (h.values.length > 0) {
        const lines = valueLines(h.values);
        const shown = lines.slice(0, detail.valueLimit);
        const from =
          h.valuesFrom === "sources"
            ? " (from the stack's `helmValues` and the planned images, as the program computes them)"
            : "";
        out.push(`Values that change${from}:`, "", "```diff", ...shown, "```");
        if (shown.length < lines.length)
          out.push("", `${lines.length - shown.length} more value lines are in the JSON plan.`);
        out.push("");
      } else if (h.change !== "delete") {
        out.push("No Helm value changes.", "");
      }
    }
    if (plan.githubRelease) {
      const g = plan.githubRelease;
      out.push(
        "### GitHub release",
        "",
        `${code(g.tag)} “${cell(g.title)}”${g.prerelease ? ", a prerelease" : ""}: **${VERB[g.change]}**; ${g.assets.length} assets ${g.assetsChange === "same" ? "stay" : "are uploaded"}: ${g.assets.map(code).join(", ")}.`,
        "",
      );
    }
    if (detail.resources && plan.resources.length > 0) {
      out.push("<details><summary>Every resource that changes (" + String(plan.resources.length) + ")</summary>", "");
      out.push("| Resource | Type | Change | Changed inputs |", "|---|---|---|---|");
      for (const r of plan.resources)
        out.push(`| ${code(r.name)} | ${code(r.type)} | ${VERB[r.change]} | ${cell(r.diffs.join(", "))} |`);
      out.push("", "</details>", "");
    }
    if (plan.updatePlan !== undefined) {
      out.push(
        `The engine's update plan is saved as ${code(basename(plan.updatePlan))}${opts.applyCommand ? `; ${code(opts.applyCommand)} applies exactly this plan` : ""}.`,
        "",
      );
    }
    return out.join("\n");
  };
  // Detail goes in this order until the text fits: the resource table, the binary names, then value lines.
  for (const d of [
    { resources: true, valueLimit: Infinity, binaries: true },
    { resources: false, valueLimit: Infinity, binaries: true },
    { resources: false, valueLimit: 200, binaries: false },
    { resources: false, valueLimit: 40, binaries: false },
  ]) {
    const md = render(d);
    if (md.length <= max) return md;
  }
  const md = render({ resources: false, valueLimit: 0, binaries: false });
  return md.length <= max
    ? md
    : `${md.slice(0, Math.max(0, max - 60))}\n\n… (cut to fit; the JSON plan has everything)\n`;
}
