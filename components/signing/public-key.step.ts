// Step: prints the public half of the stack's cosign key (what its verification trusts when trustedKeys is unset).
import { defineStep } from "../../shared/step/run";
import { keyFingerprint, PRIVATE_KEY_ENV } from "./cosign";
import { cosignOrFail } from "./exec";
import { SIGNING_PUBLIC_KEY } from "./contract";

export default defineStep(SIGNING_PUBLIC_KEY, async (env) => {
  const out = cosignOrFail(["public-key", "--key", `env://${PRIVATE_KEY_ENV}`], {
    registry: "none",
    username: "",
    password: "",
    privateKey: env.COSIGN_PRIVATE_KEY,
    keyPassword: env.COSIGN_PASSWORD,
  });
  const m = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(out);
  if (!m)
    throw new Error(
      "splai-release:signingKey gave cosign no public key: check signingKey (an encrypted cosign private key) and signingPassword",
    );
  const publicKey = `${m[0]}\n`;
  const fingerprint = keyFingerprint(publicKey);
  process.stderr.write(`signing key ${fingerprint}\n`);
  return { publicKey, fingerprint };
});
