// Signature: cosign signs one released artifact after its push — an image index and its platform images or a chart by
// digest (tag-based `.sig` signatures in the registry), or a file (SHA256SUMS) into a bundle for the GitHub release.
import * as pulumi from "@pulumi/pulumi";
import { stepCommand } from "../../shared/step/command";
import { SIGN_BLOB, SIGN_IMAGE, SIGNATURE_TYPE, signingChildren } from "./contract";

/** How the stack signs. */
export interface Signer {
  readonly mode: "key" | "keyless";
  /** Key mode: upload signatures to Rekor (public Sigstore). Default in config: true. */
  readonly tlog: boolean;
  /** Key mode: the encrypted cosign private key, a secret. */
  readonly key?: pulumi.Input<string>;
  readonly password?: pulumi.Input<string>;
}

export type SignatureTarget =
  /** An image or chart by digest (`<registry>/<repository>@sha256:…`); `recursive` signs an index's platform images too. */
  | { readonly ref: pulumi.Input<string>; readonly recursive: boolean }
  /** A file, checked against its SHA-256 before signing, signed into `bundle`. */
  | { readonly file: string; readonly sha256: pulumi.Input<string>; readonly bundle: string };

export interface SignatureArgs {
  readonly target: SignatureTarget;
  readonly signer: Signer;
  readonly registry: string;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
}

export class Signature extends pulumi.ComponentResource {
  /** Where the signature is: the `.sig` tags (`<repository>:sha256-<hex>.sig`), or the bundle file. */
  public readonly signatures: pulumi.Output<string[]>;
  /** The bundle's SHA-256 (files only; "" for images). */
  public readonly bundleSha256: pulumi.Output<string>;

  constructor(name: string, args: SignatureArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SIGNATURE_TYPE, name, {}, opts);
    const s = args.signer;
    const signer = {
      MODE: s.mode,
      TLOG: s.tlog,
      COSIGN_PRIVATE_KEY: s.key ?? "",
      COSIGN_PASSWORD: s.password ?? "",
    };
    const child = signingChildren(name).sign;
    const t = args.target;
    if ("ref" in t) {
      const run = stepCommand(
        SIGN_IMAGE,
        child,
        {
          env: {
            ...signer,
            REF: t.ref,
            RECURSIVE: t.recursive,
            REGISTRY: args.registry,
            REGISTRY_USERNAME: args.registryUsername,
            REGISTRY_PASSWORD: args.registryPassword,
          },
          // Signed once per digest and way of signing; a new key changes the environment and signs again.
          triggers: [t.ref, s.mode, s.tlog],
        },
        { parent: this },
      );
      this.signatures = run.output.apply((o) => o.signatures);
      this.bundleSha256 = pulumi.output("");
    } else {
      const run = stepCommand(
        SIGN_BLOB,
        child,
        {
          env: { ...signer, FILE: t.file, BUNDLE: t.bundle, SHA256: t.sha256 },
          triggers: [t.sha256, s.mode, s.tlog],
        },
        { parent: this },
      );
      this.signatures = run.output.apply((o) => [o.bundle]);
      this.bundleSha256 = run.output.apply((o) => o.bundleSha256);
    }
    this.registerOutputs({ signatures: this.signatures, bundleSha256: this.bundleSha256 });
  }
}
