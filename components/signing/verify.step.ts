// Step: the signature gate. Every target (an image or chart by digest) must carry a signature by a trusted key (any
// one of them: rotation) or the keyless identity, and its pinned tag must still hold that digest; else nothing
// after it runs (the Helm upgrade, a promotion's pushes). Run by SignatureGate.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OciClient } from "../../shared/oci";
import { defineStep } from "../../shared/step/run";
import { keyFingerprint, verifyImageArgs, type TrustPolicy } from "./cosign";
import { cosign, lastLines, withTempDirAsync, type CosignContext } from "./exec";
import { VERIFY_SIGNATURES, type SignedTarget, type VerifiedTarget } from "./contract";

/** `host/repo@digest` split. */
export function splitRef(ref: string): { host: string; repository: string; digest: string } {
  const at = ref.lastIndexOf("@");
  const slash = ref.indexOf("/");
  if (at < 0 || slash < 0 || slash > at) throw new Error(`${ref} is not <registry>/<repository>@<digest>`);
  return { host: ref.slice(0, slash), repository: ref.slice(slash + 1, at), digest: ref.slice(at + 1) };
}

/** Who a trust policy accepts, as a refusal says it. */
export function describeTrust(t: TrustPolicy): string {
  if (t.mode === "keyless") return `the keyless identity ${t.identity ?? "?"} (issuer ${t.issuer ?? "?"})`;
  const fps = t.keys.map(keyFingerprint);
  return fps.length === 1 ? `the trusted key ${fps[0]}` : `any of the ${fps.length} trusted keys ${fps.join(", ")}`;
}

/** What to do about a digest no trusted key verifies: a log that is not there, or a signature by another key. */
export function fixFor(t: TrustPolicy, why: string, ref: string): string {
  if (t.mode === "key" && t.tlog && /rekor|tlog|transparency|tuf/i.test(why))
    return "Its signatures are checked against Rekor, which cosign could not reach or which has no entry: signatures made without a transparency log verify only with splai-release:signingTlog false";
  return `Sign it with the stack's key (cosign sign --key <key> ${ref}), or, when another trusted key signed it, add that public key to splai-release:trustedKeys`;
}

export default defineStep(VERIFY_SIGNATURES, async (env) => {
  const trust = env.TRUST;
  const targets: SignedTarget[] = env.TARGETS;
  if (trust.mode === "key" && trust.keys.length === 0)
    throw new Error(
      "no trusted key to verify signatures with: set splai-release:trustedKeys (public keys) or signingKey",
    );
  const ctx: CosignContext = {
    registry: env.REGISTRY,
    username: env.REGISTRY_USERNAME,
    password: env.REGISTRY_PASSWORD,
  };
  const authed = new OciClient(env.REGISTRY, { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD });
  const clientFor = (host: string): OciClient => (host === env.REGISTRY ? authed : new OciClient(host));
  const verified: VerifiedTarget[] = [];
  const problems: string[] = [];
  const accepted = describeTrust(trust);

  await withTempDirAsync("splai-trust-", async (dir) => {
    const keyFiles = trust.keys.map((pem, i) => {
      const f = join(dir, `trusted-${i}.pub`);
      writeFileSync(f, pem);
      return { file: f, fingerprint: keyFingerprint(pem) };
    });
    /** The key or identity that verifies `ref`, or cosign's last words on why none does. */
    const check = (ref: string): { by?: string; why: string } => {
      let why = "";
      const attempts =
        trust.mode === "keyless" ? [{ file: undefined, fingerprint: `identity ${trust.identity}` }] : keyFiles;
      for (const k of attempts) {
        const r = cosign(verifyImageArgs(ref, trust, k.file), ctx);
        if (r.ok) return { by: k.fingerprint, why: "" };
        why = lastLines(r.stderr || r.stdout, 2).replace(/\n/g, " ");
      }
      return { why };
    };
    for (const t of targets) {
      const { host, repository, digest } = splitRef(t.ref);
      if (t.tag !== undefined) {
        const now = await clientFor(host).getManifest(repository, t.tag);
        if (now === undefined) {
          problems.push(
            `${t.name}: ${host}/${repository}:${t.tag} is gone from the registry (released as ${digest}); restore it (cosign copy ${t.ref} ${host}/${repository}:${t.tag}) or release a new version`,
          );
          continue;
        }
        if (now.digest !== digest) {
          const signed = check(`${host}/${repository}@${now.digest}`).by;
          problems.push(
            `${t.name}: ${host}/${repository}:${t.tag} now holds ${now.digest}, not the released ${digest}: it was pushed behind the release's back (${signed ? `signed by ${signed}` : `not signed by ${accepted}`}). Find out who pushed ${now.digest}; then put the released image back under the tag (cosign copy --force ${t.ref} ${host}/${repository}:${t.tag}) or release a new version`,
          );
          continue;
        }
      }
      const { by, why } = check(t.ref);
      if (by === undefined)
        problems.push(
          `${t.name}: ${t.ref} has no valid signature by ${accepted} (cosign: ${why}). ${fixFor(trust, why, t.ref)}`,
        );
      else {
        verified.push({ name: t.name, ref: t.ref, by });
        process.stderr.write(`verified ${t.name} ${t.ref} (${by})\n`);
      }
    }
  });
  if (problems.length > 0)
    throw new Error(
      `signature verification refused ${problems.length} of ${targets.length} artifacts; ${env.WITHHELD}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return { verified };
});
