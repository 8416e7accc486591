// Verification: after the Helm release is applied, waits for the released images to roll out, checks /healthz through the API server's
// service proxy, runs the released `splaictl verify`, and on failure rolls back (atomic) and fails the update.
import * as pulumi from "@pulumi/pulumi";
import { resolve } from "node:path";
import type { VerificationResult } from "../lib/verification";
import { localCommand, programRoot, scriptRun } from "./localCommand";

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

const script = resolve(__dirname, "..", "scripts", "verify-release.ts");

export class Verification extends pulumi.ComponentResource {
  /** What was checked: `passed` or `skipped` (with the reason) and one line per check. */
  public readonly result: pulumi.Output<VerificationResult>;

  constructor(name: string, args: VerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("splai:deploy:Verification", name, {}, opts);
    const components = args.components ?? ["api-gateway", "planner", "scheduler"];
    const images = pulumi.output(args.images).apply((refs) => JSON.stringify(Object.fromEntries(Object.entries(refs).sort(([a], [b]) => a.localeCompare(b)))));
    const run = localCommand(
      `${name}-checks`,
      {
        create: scriptRun(script),
        dir: programRoot,
        environment: {
          // A kubeconfig document may hold credentials: keep it secret in the state (a path need not be).
          KUBECONFIG_INPUT: args.kubeconfig?.includes("apiVersion") ? pulumi.secret(args.kubeconfig) : (args.kubeconfig ?? process.env.KUBECONFIG ?? ""),
          KUBE_CONTEXT: args.context ?? "",
          NAMESPACE: args.namespace,
          RELEASE: args.releaseName,
          REVISION: pulumi.output(args.revision).apply(String),
          COMPONENTS: JSON.stringify(components),
          GATEWAY: args.gateway ?? "api-gateway",
          IMAGES: images,
          SPLAICTL: pulumi.output(args.splaictl).apply((p) => p ?? ""),
          TIMEOUT: String(args.timeout ?? 300),
          ROLLBACK: String(args.rollbackOnFailure ?? false),
          REQUIRE_REAL_NODE: String(args.requireRealNode ?? false),
        },
        // A new revision or new images verify again; an unchanged release is not re-checked on every `up`.
        triggers: [args.revision, images, args.namespace, args.releaseName],
      },
      { parent: this },
    );
    this.result = run.stdout.apply((out) => JSON.parse(out.trim().split("\n").pop() ?? "{}") as VerificationResult);
    this.registerOutputs({ result: this.result });
  }
}
