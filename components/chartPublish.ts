// ChartPublish: lint, package and push charts/splai to oci://<registry>/<owner>/charts at the stack's version, then move `latest`.
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import { hashDirectory } from "../lib/hashdir";
import { localCommand, programRoot, scriptRun } from "./localCommand";

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

export interface PublishedChart {
  /** `oci://<registry>/<owner>/charts/<name>` */
  readonly ref: string;
  readonly name: string;
  readonly version: string;
  readonly digest: string;
  readonly alias: string;
}

const script = resolve(__dirname, "..", "scripts", "publish-chart.ts");

export class ChartPublish extends pulumi.ComponentResource {
  public readonly chart: pulumi.Output<PublishedChart>;

  constructor(name: string, args: ChartPublishArgs, opts?: pulumi.ComponentResourceOptions) {
    super("splai:release:ChartPublish", name, {}, opts);
    const alias = args.alias ?? "latest";
    const push = localCommand(
      `${name}-push`,
      {
        create: scriptRun(script),
        dir: programRoot,
        environment: {
          CHART_PATH: args.chartPath,
          CHART_VERSION: args.version,
          APP_VERSION: args.appVersion,
          REGISTRY: args.registry,
          CHART_REPOSITORY: `${args.owner}/charts`,
          CHART_ALIAS: alias,
          IMMUTABLE: String(args.immutable ?? false),
          REGISTRY_USERNAME: args.registryUsername,
          REGISTRY_PASSWORD: pulumi.secret(args.registryPassword),
        },
        triggers: [hashDirectory(args.chartPath), args.version, args.appVersion, args.registry, args.owner],
      },
      // Released charts stay in the registry when the stack is destroyed.
      { parent: this },
    );
    this.chart = push.stdout.apply((out) => JSON.parse(out.trim().split("\n").pop() ?? "{}") as PublishedChart);
    this.registerOutputs({ chart: this.chart });
  }
}
