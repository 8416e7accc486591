// Checks of where a stack deploys: namespace, release name, a kubeconfig and context that exist, and values that
// leave the pinned image keys alone.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as YAML from "yaml";
import type { MainSpec } from "../shared/layout";
import { get } from "./tree";
import { CONFIG } from "./table";
import { DNS1123_LABEL, q } from "./format";
import type { RawSettings } from "./validate";

/** The contexts a kubeconfig offers: from a document, a file, or the first readable file of a KUBECONFIG list. */
export function kubeconfigContexts(
  kubeconfig: string | undefined,
  home: string,
): { where: string; contexts: string[]; current?: string } | undefined {
  const files =
    kubeconfig === undefined
      ? [join(home, ".kube", "config")]
      : kubeconfig.includes("apiVersion")
        ? []
        : kubeconfig.split(":").filter(Boolean);
  const read = (text: string, where: string): { where: string; contexts: string[]; current?: string } => {
    const doc = (YAML.parse(text) ?? {}) as { contexts?: { name?: unknown }[]; "current-context"?: unknown };
    const contexts = (doc.contexts ?? []).map((c) => c.name).filter((n): n is string => typeof n === "string");
    const current =
      typeof doc["current-context"] === "string" && doc["current-context"] !== "" ? doc["current-context"] : undefined;
    return { where, contexts, current };
  };
  if (kubeconfig?.includes("apiVersion"))
    return read(kubeconfig, "the kubeconfig document in splai-release:kubeconfig");
  const merged = files.filter((f) => existsSync(f)).map((f) => read(readFileSync(f, "utf8"), f));
  if (merged.length === 0) return undefined;
  return {
    where: merged.map((m) => m.where).join(":"),
    contexts: [...new Set(merged.flatMap((m) => m.contexts))],
    current: merged.find((m) => m.current !== undefined)?.current,
  };
}

/** The chart value keys this program sets for every image it pins; a stack's helmValues must leave them alone. */
export const PINNED_IMAGE_KEYS = ["repository", "tag", "digest"];

/** Adds the cluster problems to `problems`; returns the namespace and release name. */
export function clusterProblems(
  raw: RawSettings,
  abs: (p: string) => string,
  home: string,
  mains: readonly MainSpec[],
  problems: string[],
): { namespace: string; releaseName: string } {
  const namespace = raw.namespace ?? CONFIG.namespace.default;
  if (!DNS1123_LABEL.test(namespace) || namespace.length > 63)
    problems.push(
      `namespace ${q(namespace)} is not a DNS-1123 label; use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  const releaseName = raw.releaseName ?? CONFIG.releaseName.default;
  if (!DNS1123_LABEL.test(releaseName) || releaseName.length > 53)
    problems.push(
      `releaseName ${q(releaseName)} is not a Helm release name; use at most 53 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  const kubeconfigFiles =
    raw.kubeconfig === undefined || raw.kubeconfig.includes("apiVersion")
      ? []
      : raw.kubeconfig.split(":").filter(Boolean);
  if (kubeconfigFiles.length > 0 && !kubeconfigFiles.some((f) => existsSync(abs(f)))) {
    problems.push(`kubeconfig ${q(raw.kubeconfig)} is neither a kubeconfig document nor an existing file`);
  } else if (raw.deploy !== false) {
    // A context that is not there would let the up build and push everything, then fail at the deployment.
    const kc = kubeconfigContexts(kubeconfigFiles.length ? kubeconfigFiles.map(abs).join(":") : raw.kubeconfig, home);
    if (kc === undefined)
      problems.push(
        `kubeconfig: no kubeconfig found (splai-release:kubeconfig and KUBECONFIG are unset and ${join(home, ".kube", "config")} does not exist); set splai-release:kubeconfig, or splai-release:deploy false to release without deploying`,
      );
    else if (raw.kubeContext !== undefined && !kc.contexts.includes(raw.kubeContext))
      problems.push(
        `kubeContext ${q(raw.kubeContext)} is not a context of ${kc.where}; its contexts are: ${kc.contexts.join(", ") || "(none)"} — set splai-release:kubeContext to one of them`,
      );
    else if (raw.kubeContext === undefined && kc.current === undefined)
      problems.push(
        `kubeContext is unset and ${kc.where} has no current-context; set splai-release:kubeContext to one of: ${kc.contexts.join(", ") || "(none)"}`,
      );
  }
  for (const m of mains.filter((x) => x.valuesKey)) {
    const image = get(raw.helmValues, [m.valuesKey!, "image"]);
    for (const k of PINNED_IMAGE_KEYS) {
      const v = get(image, [k]);
      if (v !== undefined)
        problems.push(
          `helmValues.${m.valuesKey}.image.${k} is set to ${q(v)}, but the release pins ${m.valuesKey}'s image to what it built (<tag>@sha256:<digest>); remove helmValues.${m.valuesKey}.image.${k} from the stack's config`,
        );
    }
  }
  return { namespace, releaseName };
}
