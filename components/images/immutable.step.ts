// Step: refuses to push an image tag that is already released with other content; run before a tag release builds or promotes.
// A built image carries the hash of its build context in a label (CONTEXT_HASH); a promoted one is compared by digest
// (DIGEST). Equal content may be pushed again (a no-op), anything else is refused.
import { OciClient } from "../../shared/oci";
import { CONTEXT_LABEL } from "./dockerfile";
import { defineStep } from "../../shared/step/run";
import { CHECK_IMMUTABLE } from "./contract";

export default defineStep(CHECK_IMMUTABLE, async (env) => {
  const { REGISTRY: registry, REPOSITORY: repository, TAG: tag, CONTEXT_HASH: contextHash, DIGEST: digest } = env;
  if ((contextHash === undefined) === (digest === undefined))
    throw new Error("set exactly one of CONTEXT_HASH and DIGEST");
  const client = new OciClient(registry, { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD });
  const index = await client.getManifest(repository, tag);
  if (!index) return { tag, existing: null };
  const refused = (): Error =>
    new Error(
      `${registry}/${repository}:${tag} is already released (digest ${index.digest}) from other content; released tags are immutable, so nothing was pushed — release a new version instead`,
    );
  if (digest !== undefined) {
    if (index.digest !== digest) throw refused();
    process.stderr.write(`${repository}:${tag} already holds ${digest}; promoting it again changes nothing\n`);
    return { tag, existing: index.digest };
  }
  const first = (index.json.manifests ?? []).find((m) => m.platform?.os === "linux");
  const manifest = first ? await client.getManifest(repository, first.digest) : index;
  const config = manifest?.json.config
    ? (JSON.parse((await client.getBlob(repository, manifest.json.config.digest)).toString("utf8")) as {
        config?: { Labels?: Record<string, string> };
      })
    : {};
  if (config.config?.Labels?.[CONTEXT_LABEL] !== contextHash) throw refused();
  // Builds are reproducible (timestamps rewritten to SOURCE_DATE_EPOCH), so the same content pushes the same digest.
  process.stderr.write(`${repository}:${tag} exists with the same content; the rebuild yields the same digest\n`);
  return { tag, existing: index.digest };
});
