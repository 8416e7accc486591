// The facts of a SPLAI tree: its mains, binary and image names, and which chart value key each image feeds.
export interface MainSpec {
  /** Go package path relative to the module root. */
  readonly pkg: string;
  /** Release binary name (`<binary>-<goos>-<goarch>`). */
  readonly binary: string;
  /** Image short name (`splai-<image>`), when the main ships as an image. */
  readonly image?: string;
  /** Top-level chart value key whose `image.repository`/`image.tag` the image feeds. */
  readonly valuesKey?: string;
}

export const SPLAI_MAINS: readonly MainSpec[] = Object.freeze([
  { pkg: "./cmd/api-gateway", binary: "splai-api-gateway", image: "api-gateway", valuesKey: "apiGateway" },
  { pkg: "./cmd/scheduler", binary: "splai-scheduler", image: "scheduler", valuesKey: "scheduler" },
  { pkg: "./cmd/planner", binary: "splai-planner", image: "planner", valuesKey: "planner" },
  { pkg: "./cmd/operator", binary: "splai-operator", image: "operator" },
  { pkg: "./worker/cmd/worker-agent", binary: "splai-worker", image: "worker-agent", valuesKey: "worker" },
  { pkg: "./cmd/splaictl", binary: "splaictl" },
]);

/** Chart value key per image short name (`api-gateway` → `apiGateway`), for the mains that feed one. */
export function chartValueKeys(mains: readonly MainSpec[]): Record<string, string> {
  return Object.fromEntries(
    mains.filter((m) => m.image !== undefined && m.valuesKey !== undefined).map((m) => [m.image!, m.valuesKey!]),
  );
}

export interface Target {
  readonly goos: string;
  readonly goarch: string;
}

export const parseTarget = (t: string): Target => {
  const [goos, goarch] = t.split("/");
  return { goos, goarch };
};

export const binaryFile = (binary: string, t: Target): string => `${binary}-${t.goos}-${t.goarch}`;

export const imageRepository = (registry: string, owner: string, image: string): string =>
  `${registry}/${owner}/splai-${image}`;

export const chartRepository = (registry: string, owner: string): string => `oci://${registry}/${owner}/charts`;

/** This machine as a Go target (the released splaictl that can run here verifies the deployment). */
export const hostTarget = (): Target => ({
  goos: process.platform === "win32" ? "windows" : process.platform,
  goarch: process.arch === "x64" ? "amd64" : process.arch,
});
