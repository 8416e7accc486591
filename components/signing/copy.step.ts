// Step: copies the cosign signatures of a promoted image (its index and platform images) from dev's repository to the
// release repository, byte for byte, so `cosign verify` of the released image finds them; run by PromotedImages.
import { OciClient } from "../../shared/oci";
import { defineStep } from "../../shared/step/run";
import { COPY_SIGNATURES, signatureTag } from "./contract";

export default defineStep(COPY_SIGNATURES, async (env) => {
  const { REGISTRY: registry, REPOSITORY: repository, DIGEST: digest, SOURCE: source } = env;
  const slash = source.indexOf("/");
  if (slash < 0) throw new Error(`SOURCE ${source} is not <registry>/<repository>`);
  const [sourceHost, sourceRepo] = [source.slice(0, slash), source.slice(slash + 1)];
  const target = new OciClient(registry, { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD });
  // Another registry is read anonymously: the release's credentials never go to a host they were not given for.
  const from = sourceHost === registry ? target : new OciClient(sourceHost);
  const index = await from.getManifest(sourceRepo, digest);
  if (index === undefined) throw new Error(`${source}@${digest} does not exist; nothing to promote`);
  const signatures: string[] = [];
  for (const d of [digest, ...(index.json.manifests ?? []).map((m) => m.digest)]) {
    const tag = signatureTag(d);
    const sig = await from.getManifest(sourceRepo, tag);
    if (sig === undefined) continue;
    for (const b of [sig.json.config, ...(sig.json.layers ?? [])])
      if (b !== undefined) await target.copyBlob(repository, b.digest, sourceRepo, from);
    await target.putManifest(repository, tag, sig);
    signatures.push(`${repository}:${tag}`);
  }
  if (signatures.length === 0)
    throw new Error(
      `${source}@${digest} has no cosign signature to promote; sign the dev build (splai-release:signing)`,
    );
  process.stderr.write(`copied ${signatures.length} signatures to ${repository}\n`);
  return { signatures };
});
