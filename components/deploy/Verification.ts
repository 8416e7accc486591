// Verification: after the Helm release is applied, waits for the released images to roll out, checks /healthz through the API server's
// service proxy, runs the released `splaictl verify`, and on failure rolls back (atomic) and fails the update.
import * as pulumi from "@pulumi/pulumi";
import type { VerificationResult } from "./verify-rules";
import { stepCommand } from "../../shared/step/command";
import { deployChildren, VERIFICATION_TYPE, VERIFY_RELEASE } from "./contract";
import { secretIfDocument } from "./kubeconfig";

export interface VerificationArgs {
  /** Kubeconfig path or document (kept secret in the state); default: the ambient `KUBECONFIG`. Plain. */
  readonly kubeconfig?: string;
  /** Kubeconfig context; default: the current context. */
  readonly context?: string;
  readonly namespace: pulumi.Input<string>;
  /** Helm release name. */
  readonly releaseName: pulumi.Input<string>;
  /** Helm revision this update deployed: every new revision is verified again. */
  readonly revision: pulumi.Input<number>;
  /**
   * Components (image short names) whose Service must answer `GET /healthz` with 200. Each is found in Helm's manifest of
   * the release as the Service in front of the workload running the component's image. Default: api-gateway, planner, scheduler.
   */
  readonly components?: readonly string[];
  /** The component `splaictl verify --url` is pointed at. Default: `api-gateway`. */
  readonly gateway?: string;
  /** The released image reference per component (`api-gateway` → `<repository>:<tag>@sha256:…`); pods must run only these. */
  readonly images: pulumi.Input<Record<string, string>>;
  /** The released `splaictl` for this machine; default: none (the check is reported as skipped). */
  readonly splaictl?: pulumi.Input<string | undefined>;
  /** Seconds to wait for the rollout (and for a rollback). Default: 300. */
  readonly timeout?: number;
  /** Roll the release back to the previous revision when a check fails. Default: false (true for tag releases in config). */
  readonly rollbackOnFailure?: boolean;
  /** Fail, instead of skipping the HTTP checks, when the pods sit on fake (kwok) nodes. Default: false. */
  readonly requireRealNode?: boolean;
}

export class Verification extends pulumi.ComponentResource {
  /** What was checked: `passed` or `skipped` (with the reason) and one line per check. */
  public readonly result: pulumi.Output<VerificationResult>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(VERIFICATION_TYPE, name, {}, opts);
    const components = [...(args.components ?? ["api-gateway", "planner", "scheduler"])];
    // Keys sorted, so the environment and the trigger are the same string for the same images.
    const images = pulumi
      .output(args.images)
      .apply((refs) => Object.fromEntries(Object.entries(refs).sort(([a], [b]) => a.localeCompare(b))));
    const imagesKey = images.apply((m) => JSON.stringify(m));
    const run = stepCommand(
      VERIFY_RELEASE,
      deployChildren(name).checks,
      {
        env: {
          // A kubeconfig document may hold credentials: keep it secret in the state (a path need not be).
          KUBECONFIG_INPUT: secretIfDocument(args.kubeconfig) ?? process.env.KUBECONFIG ?? "",
          KUBE_CONTEXT: args.context ?? "",
          NAMESPACE: args.namespace,
          RELEASE: args.releaseName,
          REVISION: args.revision,
          COMPONENTS: components,
          GATEWAY: args.gateway ?? "api-gateway",
          IMAGES: images,
          SPLAICTL: pulumi.output(args.splaictl).apply((p) => p ?? ""),
          TIMEOUT: args.timeout ?? 300,
          ROLLBACK: args.rollbackOnFailure ?? false,
          REQUIRE_REAL_NODE: args.requireRealNode ?? false,
        },
        // A new revision or new images verify again; an unchanged release is not re-checked on every `up`.
        triggers: [args.revision, imagesKey, args.namespace, args.releaseName],
      },
      { parent: this },
    );
    this.result = run.output;
    this.registerOutputs({ result: this.result });
  }
}
