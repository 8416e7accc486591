// The steps resources run during `pulumi up`, by stable name; each module is loaded only when its step runs.
import { ATTEST_IMAGE, COPY_ATTESTATIONS } from "./components/supplychain/contract";
import { CHECK_IMMUTABLE } from "./components/images/contract";
import { CHECK_ROLLBACK, VERIFY_RELEASE } from "./components/deploy/contract";
import { PROMOTE_BINARIES } from "./components/binaries/contract";
import { PUBLISH_CHART } from "./components/chart/contract";
import { PUBLISH_RELEASE, SYNC_ASSETS } from "./components/github/contract";
import { PACKAGE_RELEASE } from "./components/packages/contract";
import {
  COPY_SIGNATURES,
  SIGN_BLOB,
  SIGN_IMAGE,
  SIGNING_PUBLIC_KEY,
  VERIFY_SIGNATURES,
} from "./components/signing/contract";
import { runStepMain, type StepMain } from "./shared/step/run";

type Loader = () => { default: StepMain };

/** Every step by the name its contract gives it. */
export const STEPS: Readonly<Record<string, Loader>> = {
  [PUBLISH_CHART.name]: () => require("./components/chart/publish.step") as { default: StepMain },
  [CHECK_IMMUTABLE.name]: () => require("./components/images/immutable.step") as { default: StepMain },
  [ATTEST_IMAGE.name]: () => require("./components/supplychain/attest.step") as { default: StepMain },
  [COPY_ATTESTATIONS.name]: () => require("./components/supplychain/copy.step") as { default: StepMain },
  [PROMOTE_BINARIES.name]: () => require("./components/binaries/promote.step") as { default: StepMain },
  [CHECK_ROLLBACK.name]: () => require("./components/deploy/rollback.step") as { default: StepMain },
  [VERIFY_RELEASE.name]: () => require("./components/deploy/verify.step") as { default: StepMain },
  [PACKAGE_RELEASE.name]: () => require("./components/packages/package.step") as { default: StepMain },
  [PUBLISH_RELEASE.name]: () => require("./components/github/publish.step") as { default: StepMain },
  [SYNC_ASSETS.name]: () => require("./components/github/assets.step") as { default: StepMain },
  [SIGNING_PUBLIC_KEY.name]: () => require("./components/signing/public-key.step") as { default: StepMain },
  [SIGN_IMAGE.name]: () => require("./components/signing/sign-image.step") as { default: StepMain },
  [SIGN_BLOB.name]: () => require("./components/signing/sign-blob.step") as { default: StepMain },
  [VERIFY_SIGNATURES.name]: () => require("./components/signing/verify.step") as { default: StepMain },
  [COPY_SIGNATURES.name]: () => require("./components/signing/copy.step") as { default: StepMain },
};

/** Runs the named step, or fails naming the steps there are. */
export function runStep(name: string | undefined): void {
  const load = name === undefined ? undefined : STEPS[name];
  if (load === undefined) {
    process.stderr.write(`unknown step '${name ?? ""}'; the steps are: ${Object.keys(STEPS).sort().join(", ")}\n`);
    process.exit(2);
  }
  runStepMain(load().default);
}
