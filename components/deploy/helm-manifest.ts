// What a Helm release consists of, read from Helm's own record of it (`helm get manifest`): never from labels a chart may not set.
import * as YAML from "yaml";

/** A workload the release rolls out, and what its pods look like. */
export interface ManifestWorkload {
  readonly kind: "Deployment" | "DaemonSet" | "StatefulSet";
  readonly name: string;
  /** The namespace the manifest names, if any (Helm installs the rest into the release's namespace). */
  readonly namespace?: string;
  /** `spec.selector.matchLabels`: how the workload's pods are found. */
  readonly selector: Readonly<Record<string, string>>;
  /** Labels of the pod template, which Services select on. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Container images of the pod template, as rendered. */
  readonly images: readonly string[];
}

export interface ManifestService {
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  /** Port names, in order (the service proxy addresses `<service>:<port name>`). */
  readonly ports: readonly { readonly name?: string; readonly port: number }[];
}

export interface ReleaseManifest {
  readonly workloads: readonly ManifestWorkload[];
  readonly services: readonly ManifestService[];
}

const WORKLOAD_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet"]);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, string] => typeof e[1] === "string"));

/** Parses the multi-document YAML that `helm get manifest` prints. */
export function parseReleaseManifest(manifest: string): ReleaseManifest {
  const workloads: ManifestWorkload[] = [];
  const services: ManifestService[] = [];
  for (const doc of YAML.parseAllDocuments(manifest)) {
    const o = obj(doc.toJS());
    const kind = o.kind;
    const meta = obj(o.metadata);
    const name = meta.name;
    if (typeof kind !== "string" || typeof name !== "string") continue;
    const spec = obj(o.spec);
    if (WORKLOAD_KINDS.has(kind)) {
      const template = obj(spec.template);
      const containers = [
        ...((obj(template.spec).containers as unknown[]) ?? []),
        ...((obj(template.spec).initContainers as unknown[]) ?? []),
      ];
      workloads.push({
        kind: kind as ManifestWorkload["kind"],
        name,
        namespace: typeof meta.namespace === "string" ? meta.namespace : undefined,
        selector: strings(obj(spec.selector).matchLabels),
        podLabels: strings(obj(template.metadata).labels),
        images: containers.map((c) => obj(c).image).filter((i): i is string => typeof i === "string"),
      });
    } else if (kind === "Service") {
      const ports = ((spec.ports as unknown[]) ?? []).map((p) => ({
        name: typeof obj(p).name === "string" ? (obj(p).name as string) : undefined,
        port: Number(obj(p).port),
      }));
      services.push({ name, selector: strings(spec.selector), ports });
    }
  }
  return { workloads, services };
}

/** `k=v,k2=v2`, the form `kubectl -l` takes. Empty selectors would match every pod, so they are an error. */
export function labelSelector(labels: Readonly<Record<string, string>>, what: string): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0)
    throw new Error(`${what} has no spec.selector.matchLabels; its pods cannot be told apart from others`);
  return entries.map(([k, v]) => `${k}=${v}`).join(",");
}

const selects = (selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean => {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
};

/**
 * The Service in front of a component: the one whose selector matches the pod labels of the workload that runs the
 * component's released image. Found by what the release runs, so it needs no naming or labelling convention.
 */
export function serviceForImage(
  m: ReleaseManifest,
  image: string,
): { workload: ManifestWorkload; service?: ManifestService } | undefined {
  const workload = m.workloads.find((w) => w.images.includes(image));
  if (workload === undefined) return undefined;
  return { workload, service: m.services.find((s) => selects(s.selector, workload.podLabels)) };
}

/** The port the service proxy should use: one named `http`, else the first named port, else the first port number. */
export function proxyPort(s: ManifestService): string {
  const named = s.ports.find((p) => p.name === "http") ?? s.ports.find((p) => p.name !== undefined);
  if (named?.name) return named.name;
  if (s.ports[0] === undefined) throw new Error(`Service ${s.name} exposes no port`);
  return String(s.ports[0].port);
}
