// A release plan through the Automation API: a preview whose engine events become the plan, and an `up` that applies a saved update plan.
import type { EngineEvent, PreviewResult, Stack, UpResult } from "@pulumi/pulumi/automation";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as YAML from "yaml";
import { chartValueKeys, SPLAI_MAINS } from "../../shared/layout";
import { policyPackDir } from "../lib/paths";
import { buildPlan, type ReleasePlan, type StepEvent } from "./plan";

/** Update plans (`preview --save-plan`, `up --plan`) are an experimental engine feature in Pulumi 3.274. */
function enablePlans(stack: Stack): void {
  stack.workspace.envVars.PULUMI_EXPERIMENTAL = "true";
}

export function chartNameOf(chartPath: string): string | undefined {
  const file = join(chartPath, "Chart.yaml");
  if (!existsSync(file)) return undefined;
  const name = (YAML.parse(readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}

/** Collects what the plan needs from the engine's event stream: resource steps and the stack's final outputs. */
export class PlanRecorder {
  readonly steps: StepEvent[] = [];
  outputs: Record<string, unknown> = {};

  readonly onEvent = (e: EngineEvent): void => {
    if (e.resourcePreEvent) this.steps.push(e.resourcePreEvent.metadata);
    const o = e.resOutputsEvent?.metadata;
    // The stack reports its outputs more than once; the last report holds what the program computed.
    if (o?.type === "pulumi:pulumi:Stack" && o.new?.outputs) this.outputs = o.new.outputs as Record<string, unknown>;
  };
}

export interface PreviewPlanOptions {
  /** Where to save the engine's update plan, for `up --plan`. */
  readonly savePlan?: string;
  /** Receives the `preview --diff` text as it streams. */
  readonly onOutput?: (out: string) => void;
}

/** The stack's extra Helm values as the program reads them (`splai-release:helmValues`, an object; default none). */
async function extraHelmValues(stack: Stack): Promise<Record<string, unknown>> {
  const raw = (await stack.getAllConfig())["splai-release:helmValues"]?.value;
  if (raw === undefined || raw === "") return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw new Error(
      `splai-release:helmValues is not a YAML/JSON object (${raw.slice(0, 60)}…); fix it with 'pulumi config set --path'`,
    );
  }
}

/** Runs `preview --diff` and returns the release plan it implies. Builds, pushes and deploys nothing. */
export async function previewPlan(
  stack: Stack,
  opts: PreviewPlanOptions = {},
): Promise<{ plan: ReleasePlan; preview: PreviewResult }> {
  if (opts.savePlan !== undefined) enablePlans(stack);
  const rec = new PlanRecorder();
  const preview = await stack.preview({
    diff: true,
    plan: opts.savePlan,
    // The release rules are mandatory: a violation refuses the plan.
    policyPacks: [policyPackDir],
    onEvent: rec.onEvent,
    onOutput: opts.onOutput,
  });
  const plan = buildPlan({
    stack: stack.name,
    steps: rec.steps,
    outputs: rec.outputs,
    changeSummary: preview.changeSummary,
    updatePlan: opts.savePlan,
    chartName: chartNameOf,
    helmValueSources: { extra: await extraHelmValues(stack), valuesKeys: chartValueKeys(SPLAI_MAINS) },
  });
  return { plan, preview };
}

/** `up` constrained to a saved update plan: the engine refuses any step the plan did not list. */
export async function applyPlan(
  stack: Stack,
  planFile: string,
  opts: { onOutput?: (out: string) => void; onEvent?: (e: EngineEvent) => void } = {},
): Promise<UpResult> {
  if (!existsSync(planFile))
    throw new Error(
      `no update plan at ${planFile}; save one first with: npm run plan -- --stack ${stack.name} --save-plan`,
    );
  enablePlans(stack);
  return stack.up({ plan: planFile, policyPacks: [policyPackDir], onOutput: opts.onOutput, onEvent: opts.onEvent });
}
