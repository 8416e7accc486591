// SplaiDeployment: the namespace and Helm release `splai` installed from the published OCI chart, every image pinned by digest.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { secretIfDocument } from "./kubeconfig";
import { releaseValues } from "./values";
import type { PublishedChart } from "../chart/ChartPublish";
import type { PublishedImage } from "../images/contract";
import { SPLAI_DEPLOYMENT_TYPE } from "./contract";

export interface SplaiDeploymentArgs {
  /** The chart as published by ChartPublish. */
  readonly chart: pulumi.Input<PublishedChart>;
  /**
   * The chart version published (known before the push, so a preview and the policy pack see it). Default: the
   * published chart's version.
   */
  readonly chartVersion?: string;
  /** Images by short name (`api-gateway`, …), from ServiceImages. */
  readonly images: pulumi.Input<Record<string, PublishedImage>>;
  /** Chart value key per image short name (`api-gateway` → `apiGateway`). Plain. */
  readonly valuesKeys: Readonly<Record<string, string>>;
  /** Namespace; default `splai-system`. */
  readonly namespace: string;
  /** Helm release name; default `splai`. */
  readonly releaseName?: string;
  /** Helm's description of each revision this deploys (who deployed it); default: Helm's own. */
  readonly description?: string;
  /** Kubeconfig document or path; default: the ambient kubeconfig. */
  readonly kubeconfig?: pulumi.Input<string>;
  readonly context?: string;
  /** Extra chart values merged over the image values. Default: none. */
  readonly extraValues?: pulumi.Input<Record<string, unknown>>;
  /** Roll back automatically when the upgrade fails. Default: false (true for tag releases in config). */
  readonly atomic?: boolean;
  /** Seconds Helm waits for workloads. Default: 300. */
  readonly timeout?: number;
  /**
   * Helm waits for readiness and, when atomic, rolls back itself. Default: true. False when a Verification takes over both:
   * it waits with crash-loop detection, checks the services and rolls back instead (Helm's atomic would force a blind wait).
   */
  readonly helmWaits?: boolean;
  /** Refuse image tags that move (`latest`, or any tag not pinned by digest). Default: false; true for tag releases. */
  readonly forbidMovingTags?: boolean;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
  /** Checks the Helm release waits for (the signature gate); a failed one leaves the release as it was. Default: none. */
  readonly after?: pulumi.Input<pulumi.Resource>[];
}

export class SplaiDeployment extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly releaseName: pulumi.Output<string>;
  public readonly status: pulumi.Output<string>;
  public readonly revision: pulumi.Output<number>;
  public readonly values: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: SplaiDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SPLAI_DEPLOYMENT_TYPE, name, {}, opts);
    const provider = new k8s.Provider(
      `${name}-k8s`,
      // A kubeconfig document carries credentials: the provider keeps its inputs, so it gets it as a secret.
      { kubeconfig: secretIfDocument(args.kubeconfig), context: args.context },
      { parent: this },
    );
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: args.namespace, labels: { "app.kubernetes.io/managed-by": "splai-release" } } },
      { parent: this, provider },
    );
    const chart = pulumi.output(args.chart);
    const helmWaits = args.helmWaits ?? true;
    // One Output on purpose: a saved update plan (`up --plan`) drops unknowns nested inside an object and then refuses
    // the up, while a wholly unknown value is planned fine. The release plan shows the values from their sources instead.
    const values = pulumi.all([args.images, args.extraValues ?? {}]).apply(([images, extra]) =>
      releaseValues(images as Record<string, PublishedImage>, args.valuesKeys, extra as Record<string, unknown>, {
        forbidMovingTags: args.forbidMovingTags ?? false,
      }),
    );
    const release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        name: args.releaseName ?? "splai",
        description: args.description,
        namespace: ns.metadata.name,
        chart: chart.ref,
        version: args.chartVersion ?? chart.version,
        repositoryOpts: { username: args.registryUsername, password: pulumi.secret(args.registryPassword) },
        values,
        atomic: helmWaits && (args.atomic ?? false),
        skipAwait: !helmWaits,
        timeout: args.timeout ?? 300,
        waitForJobs: helmWaits,
        cleanupOnFail: helmWaits && (args.atomic ?? false),
        maxHistory: 10,
      },
      // The registry password stays secret even in the partial state a failed rollout leaves behind.
      { parent: this, provider, additionalSecretOutputs: ["repositoryOpts"], dependsOn: args.after },
    );
    this.namespace = ns.metadata.name;
    this.releaseName = release.name;
    this.status = release.status.status;
    this.revision = release.status.revision;
    this.values = values;
    this.registerOutputs({
      namespace: this.namespace,
      releaseName: this.releaseName,
      status: this.status,
      revision: this.revision,
      values: this.values,
    });
  }
}
