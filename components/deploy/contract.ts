// The contract of the deployment's steps: the rollback guard and the post-deploy verification, and the names of their resources.
import { flag, integer, json, optionalSecret, optionalText, stepContract, text } from "../../shared/step/contract";
import type { VerificationResult } from "./verify-rules";

/** Refuses a chart version lower than the deployed one unless allowed; run before a tag release pushes anything. */
export const CHECK_ROLLBACK = stepContract<{ readonly deployed: string | null; readonly wanted: string }>()(
  "check-rollback",
  {
    NAMESPACE: text,
    RELEASE_NAME: text,
    CHART_NAME: text,
    CHART_VERSION: text,
    ALLOW_ROLLBACK: flag,
    /** A kubeconfig document or path (secret: a document carries credentials), or "" for the ambient one. */
    KUBECONFIG_CONTENT: optionalSecret,
    KUBE_CONTEXT: optionalText,
  },
);

/** Waits for the rollout, checks the released images, /healthz and `splaictl verify`; rolls back on failure when atomic. */
export const VERIFY_RELEASE = stepContract<VerificationResult>()("verify-release", {
  /** A kubeconfig path, or a document (which the component passes as a secret). */
  KUBECONFIG_INPUT: optionalText,
  KUBE_CONTEXT: optionalText,
  NAMESPACE: text,
  RELEASE: text,
  REVISION: integer,
  /** Components (image short names) whose Service must answer /healthz. */
  COMPONENTS: json<string[]>(),
  GATEWAY: text,
  /** Released image reference per component, keys sorted. */
  IMAGES: json<Record<string, string>>(),
  SPLAICTL: optionalText,
  TIMEOUT: integer,
  ROLLBACK: flag,
  REQUIRE_REAL_NODE: flag,
});

/** Child resource names of the deployment's components. */
export const deployChildren = (name: string) => ({
  provider: `${name}-k8s`,
  namespace: `${name}-ns`,
  release: `${name}-release`,
  /** Under a ReleaseGuard. */
  rollback: `${name}-rollback`,
  /** Under a Verification. */
  checks: `${name}-checks`,
});

/** Type tokens of the components (stable: they are part of every URN). */
export const SPLAI_DEPLOYMENT_TYPE = "splai:deploy:SplaiDeployment";
export const VERIFICATION_TYPE = "splai:deploy:Verification";
export const RELEASE_GUARD_TYPE = "splai:release:ReleaseGuard";
