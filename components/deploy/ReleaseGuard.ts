// ReleaseGuard: pre-flight checks of a tag release that must pass before anything is pushed (today: no silent rollback).
import * as pulumi from "@pulumi/pulumi";
import { stepCommand } from "../../shared/step/command";
import { CHECK_ROLLBACK, deployChildren, RELEASE_GUARD_TYPE } from "./contract";

export interface ReleaseGuardArgs {
  /** Chart version this update deploys. */
  readonly chartVersion: string;
  /** Chart name as in Chart.yaml; default `splai`. */
  readonly chartName?: string;
  /** Namespace and Helm release name of the deployment. */
  readonly namespace: string;
  /** Default `splai`. */
  readonly releaseName?: string;
  /** Kubeconfig document or path; default: the ambient kubeconfig. */
  readonly kubeconfig?: pulumi.Input<string>;
  readonly context?: string;
  /** Deploying a lower version than the running one is refused unless this is true. Default: false. */
  readonly allowRollback?: boolean;
}

export class ReleaseGuard extends pulumi.ComponentResource {
  /** What the guard found: `{ deployed, wanted }`. */
  public readonly result: pulumi.Output<string>;
  /** The resources the first push must wait for. */
  public readonly checks: pulumi.Resource[];

  constructor(name: string, args: ReleaseGuardArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RELEASE_GUARD_TYPE, name, {}, opts);
    const rollback = stepCommand(
      CHECK_ROLLBACK,
      deployChildren(name).rollback,
      {
        env: {
          NAMESPACE: args.namespace,
          RELEASE_NAME: args.releaseName ?? "splai",
          CHART_NAME: args.chartName ?? "splai",
          CHART_VERSION: args.chartVersion,
          ALLOW_ROLLBACK: args.allowRollback ?? false,
          // A kubeconfig document carries credentials: kept secret in the state.
          KUBECONFIG_CONTENT: args.kubeconfig ?? process.env.KUBECONFIG ?? "",
          KUBE_CONTEXT: args.context ?? "",
        },
        // Runs again whenever the version to deploy or the consent changes.
        triggers: [args.chartVersion, args.namespace, String(args.allowRollback ?? false)],
      },
      { parent: this },
    );
    this.checks = [rollback.command];
    this.result = rollback.output.apply((o) => JSON.stringify(o));
    this.registerOutputs({ result: this.result });
  }
}
