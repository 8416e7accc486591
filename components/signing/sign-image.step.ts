// Step: signs an image index and its platform images (or a chart) by digest with cosign, after its push; run by Signature.
import { OciClient } from "../../shared/oci";
import { defineStep } from "../../shared/step/run";
import { signImageArgs, type SignPolicy } from "./cosign";
import { cosignOrFail } from "./exec";
import { SIGN_IMAGE, signatureTag } from "./contract";

export default defineStep(SIGN_IMAGE, async (env) => {
  const policy: SignPolicy = { mode: env.MODE === "keyless" ? "keyless" : "key", tlog: env.TLOG };
  const ref = env.REF;
  const at = ref.lastIndexOf("@");
  if (at < 0 || !ref.startsWith(`${env.REGISTRY}/`))
    throw new Error(`REF ${ref} is not ${env.REGISTRY}/<repo>@<digest>`);
  const repository = ref.slice(env.REGISTRY.length + 1, at);
  const digest = ref.slice(at + 1);
  process.stderr.write(
    `cosign sign ${ref} (${policy.mode}${policy.mode === "key" && !policy.tlog ? ", no Rekor" : ""})\n`,
  );
  cosignOrFail(signImageArgs(ref, policy, env.RECURSIVE), {
    registry: env.REGISTRY,
    username: env.REGISTRY_USERNAME,
    password: env.REGISTRY_PASSWORD,
    privateKey: env.COSIGN_PRIVATE_KEY,
    keyPassword: env.COSIGN_PASSWORD,
  });
  // What now holds the signatures: the index's tag and, for an image, each platform image's.
  const client = new OciClient(env.REGISTRY, { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD });
  const index = await client.getManifest(repository, digest);
  const digests = [digest, ...(env.RECURSIVE ? (index?.json.manifests ?? []).map((m) => m.digest) : [])];
  const signatures: string[] = [];
  for (const d of digests) {
    const sig = await client.getManifest(repository, signatureTag(d));
    if (sig === undefined)
      throw new Error(`cosign signed ${ref} but ${repository}:${signatureTag(d)} is not in the registry`);
    signatures.push(`${repository}:${signatureTag(d)}`);
  }
  process.stderr.write(`signed: ${signatures.join(", ")}\n`);
  return { ref, signatures };
});
