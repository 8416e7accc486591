// SigningKey: the public half of the stack's cosign key, read by cosign itself (the key stays a secret, only in its env).
import * as pulumi from "@pulumi/pulumi";
import { stepCommand } from "../../shared/step/command";
import { SIGNING_KEY_TYPE, SIGNING_PUBLIC_KEY, signingChildren } from "./contract";

export interface SigningKeyArgs {
  /** The encrypted cosign private key (PEM of `cosign generate-key-pair`), a secret. */
  readonly key: pulumi.Input<string>;
  /** Its password, a secret. Default: empty. */
  readonly password?: pulumi.Input<string>;
}

export class SigningKey extends pulumi.ComponentResource {
  /** The PEM public key: what verification trusts when trustedKeys is unset, and what the notes print. */
  public readonly publicKey: pulumi.Output<string>;
  /** `sha256:<12 hex>` of the public key. */
  public readonly fingerprint: pulumi.Output<string>;

  constructor(name: string, args: SigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SIGNING_KEY_TYPE, name, {}, opts);
    // A new key changes the (secret) environment, which runs the step again: rotation needs no other trigger.
    const run = stepCommand(
      SIGNING_PUBLIC_KEY,
      signingChildren(name).publicKey,
      { env: { COSIGN_PRIVATE_KEY: args.key, COSIGN_PASSWORD: args.password ?? "" } },
      { parent: this },
    );
    this.publicKey = run.output.apply((o) => o.publicKey);
    this.fingerprint = run.output.apply((o) => o.fingerprint);
    this.registerOutputs({ publicKey: this.publicKey, fingerprint: this.fingerprint });
  }
}
