// Step: signs a file (the release's SHA256SUMS) into a cosign bundle attached to the GitHub release; run by Signature.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { defineStep } from "../../shared/step/run";
import { signBlobArgs, type SignPolicy } from "./cosign";
import { cosignOrFail } from "./exec";
import { SIGN_BLOB } from "./contract";

const sha256 = (f: string): string => createHash("sha256").update(readFileSync(f)).digest("hex");

export default defineStep(SIGN_BLOB, async (env) => {
  const policy: SignPolicy = { mode: env.MODE === "keyless" ? "keyless" : "key", tlog: env.TLOG };
  const actual = sha256(env.FILE);
  if (actual !== env.SHA256)
    throw new Error(`${env.FILE} has SHA-256 ${actual}, not ${env.SHA256} as released; not signing it`);
  process.stderr.write(`cosign sign-blob ${env.FILE} → ${env.BUNDLE}\n`);
  cosignOrFail(signBlobArgs(env.FILE, env.BUNDLE, policy), {
    registry: "none",
    username: "",
    password: "",
    privateKey: env.COSIGN_PRIVATE_KEY,
    keyPassword: env.COSIGN_PASSWORD,
  });
  return { file: env.FILE, bundle: env.BUNDLE, bundleSha256: sha256(env.BUNDLE) };
});
