// ChartPublish: lint, package and push charts/splai to oci://<registry>/<owner>/charts at the stack's version, then move `latest`.
import * as pulumi from "@pulumi/pulumi";
import { hashDirectory } from "../../shared/hashdir";
import { stepCommand } from "../../shared/step/command";
import { CHART_PUBLISH_TYPE, chartChildren, PUBLISH_CHART, type PublishedChart } from "./contract";

export type { PublishedChart } from "./contract";

export interface ChartPublishArgs {
  /** Chart directory (default in config: `<source>/charts/splai`). */
  readonly chartPath: string;
  readonly version: string;
  readonly appVersion: string;
  readonly registry: string;
  /** Registry namespace; the chart goes to `<owner>/charts/<chart name>`. */
  readonly owner: string;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
  /** Refuse to replace an existing version with different content (tag releases). Default: false. */
  readonly immutable?: boolean;
  /** Alias tag moved to every published version. Default: `latest`. */
  readonly alias?: string;
}

export class ChartPublish extends pulumi.ComponentResource {
  public readonly chart: pulumi.Output<PublishedChart>;

  constructor(name: string, args: ChartPublishArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CHART_PUBLISH_TYPE, name, {}, opts);
    const alias = args.alias ?? "latest";
    const push = stepCommand(
      PUBLISH_CHART,
      chartChildren(name).push,
      {
        env: {
          CHART_PATH: args.chartPath,
          CHART_VERSION: args.version,
          APP_VERSION: args.appVersion,
          REGISTRY: args.registry,
          CHART_REPOSITORY: `${args.owner}/charts`,
          CHART_ALIAS: alias,
          IMMUTABLE: args.immutable ?? false,
          REGISTRY_USERNAME: args.registryUsername,
          REGISTRY_PASSWORD: args.registryPassword,
        },
        triggers: [hashDirectory(args.chartPath), args.version, args.appVersion, args.registry, args.owner],
      },
      // Released charts stay in the registry when the stack is destroyed: the command has no delete step.
      { parent: this },
    );
    this.chart = push.output;
    this.registerOutputs({ chart: this.chart });
  }
}
