// SignatureGate: verifies released artifacts' signatures before what depends on it runs — the Helm upgrade of a
// deployment, or the pushes of a promotion. One refused artifact refuses them all, and nothing after the gate changes.
import * as pulumi from "@pulumi/pulumi";
import { stepCommand } from "../../shared/step/command";
import type { TrustPolicy } from "./cosign";
import {
  SIGNATURE_GATE_TYPE,
  signingChildren,
  VERIFY_SIGNATURES,
  type SignedTarget,
  type VerifiedTarget,
} from "./contract";

export interface SignatureGateArgs {
  /** Images and charts by digest, each with the tag that must still hold it. */
  readonly targets: pulumi.Input<SignedTarget[]>;
  /** Trusted keys (any one is enough) or the keyless identity. */
  readonly trust: pulumi.Input<TrustPolicy>;
  /** What a refusal holds back, as its message says (`nothing was deployed`). */
  readonly withheld: string;
  readonly registry: string;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
  /** More reasons to verify again (for a deployment: its values, so every Helm upgrade is preceded by a check). */
  readonly triggers?: pulumi.Input<unknown>[];
}

export class SignatureGate extends pulumi.ComponentResource {
  public readonly verified: pulumi.Output<VerifiedTarget[]>;
  /** The command resource itself: what a deployment or a push depends on. */
  public readonly check: pulumi.Resource;

  constructor(name: string, args: SignatureGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SIGNATURE_GATE_TYPE, name, {}, opts);
    const targets = pulumi.output(args.targets);
    const trust = pulumi.output(args.trust);
    const run = stepCommand(
      VERIFY_SIGNATURES,
      signingChildren(name).verify,
      {
        env: {
          TARGETS: targets,
          TRUST: trust,
          WITHHELD: args.withheld,
          REGISTRY: args.registry,
          REGISTRY_USERNAME: args.registryUsername,
          REGISTRY_PASSWORD: args.registryPassword,
        },
        triggers: [
          targets.apply((t) => JSON.stringify(t)),
          trust.apply((t) => JSON.stringify(t)),
          ...(args.triggers ?? []),
        ],
      },
      { parent: this },
    );
    this.check = run.command;
    this.verified = run.output.apply((o) => o.verified);
    this.registerOutputs({ verified: this.verified });
  }
}
