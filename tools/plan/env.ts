// A step's settings as a preview reports them, decoded by the step's contract: what the release plan reads.
import { specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { AnyContract, EnvOut } from "../../shared/step/contract";

/**
 * The environment of a command as a preview reports it, decoded field by field; a field that is unknown (not computed
 * yet), secret, or missing decodes as undefined instead of failing.
 */
export function readEnv<C extends AnyContract>(contract: C, environment: unknown): Partial<EnvOut<C>> {
  const env =
    environment !== null && typeof environment === "object" && !(specialSigKey in environment)
      ? (environment as Record<string, unknown>)
      : {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(contract.env)) {
    const raw = env[key];
    if (typeof raw !== "string" || raw === unknownValue || field.kind === "secret") continue;
    try {
      out[key] = field.decode(raw, key);
    } catch {
      // Not decodable: left out, as a value the plan does not know.
    }
  }
  return out as Partial<EnvOut<C>>;
}
