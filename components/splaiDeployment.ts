// SplaiDeployment: the namespace and Helm release `splai` installed from the published OCI chart, every image pinned by digest.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { releaseValues, type ImageRef } from "../lib/values";
import type { PublishedChart } from "./chartPublish";

export interface SplaiDeploymentArgs {
  /** The chart as published by ChartPublish. */
  readonly chart: pulumi.Input<PublishedChart>;
  /**
   * Images by short name (`api-gateway`, …), from ServiceImages' `pinned`. A plain record whose digests may be Outputs:
   * the values then stay known in a preview except for the digests still to be built.
   */
  readonly images: Readonly<Record<string, ImageRef<pulumi.Input<string>>>>;
  /** Chart value key per image short name (`api-gateway` → `apiGateway`). Plain. */
  readonly valuesKeys: Readonly<Record<string, string>>;
  /** Namespace; default `splai-system`. */
  readonly namespace: string;
  /** Kubeconfig document or path; default: the ambient kubeconfig. */
  readonly kubeconfig?: pulumi.Input<string>;
  readonly context?: string;
  /** Extra chart values merged under the image values (they never replace the pinned images). Plain. Default: none. */
  readonly extraValues?: Readonly<Record<string, unknown>>;
  /** Roll back automatically when the upgrade fails. Default: false (true for tag releases in config). */
  readonly atomic?: boolean;
  /** Seconds Helm waits for workloads. Default: 300. */
  readonly timeout?: number;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
}

export class SplaiDeployment extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly releaseName: pulumi.Output<string>;
  public readonly status: pulumi.Output<string>;
  public readonly revision: pulumi.Output<number>;
  public readonly values: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: SplaiDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("splai:deploy:SplaiDeployment", name, {}, opts);
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: args.kubeconfig, context: args.context }, { parent: this });
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: args.namespace, labels: { "app.kubernetes.io/managed-by": "splai-release" } } },
      { parent: this, provider },
    );
    const chart = pulumi.output(args.chart);
    // Not one apply over all images: that would hide every value in a preview until the last digest is known.
    const values = releaseValues(args.images, args.valuesKeys, args.extraValues ?? {});
    const release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: "splai",
        namespace: ns.metadata.name,
        chart: chart.ref,
        version: chart.version,
        repositoryOpts: { username: args.registryUsername, password: args.registryPassword },
        values,
        atomic: args.atomic ?? false,
        timeout: args.timeout ?? 300,
        waitForJobs: true,
        cleanupOnFail: args.atomic ?? false,
        maxHistory: 10,
      },
      { parent: this, provider },
    );
    this.namespace = ns.metadata.name;
    this.releaseName = release.name;
    this.status = release.status.status;
    this.revision = release.status.revision;
    this.values = pulumi.output(values).apply((v) => v as Record<string, unknown>);
    this.registerOutputs({ namespace: this.namespace, releaseName: this.releaseName, status: this.status, revision: this.revision, values: this.values });
  }
}
