// What the release notes and the install command are made of, once the images, chart and binaries are known.
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseConfig } from "../config/load";
import { chartValueKeys } from "../shared/layout";
import type { ReleaseArtifacts } from "./artifacts";
import type { ChartPublish } from "./chart/ChartPublish";
import type { NotesInput } from "./github/notes";
import type { PromotionSource } from "./promotion/promotion";
import { CHECKSUMS_BUNDLE } from "./signing/release";
import type { SigningKey } from "./signing/SigningKey";

export function notesInput(
  cfg: ReleaseConfig,
  artifacts: ReleaseArtifacts,
  chart: ChartPublish,
  promotion?: PromotionSource,
  signingKey?: SigningKey,
): pulumi.Output<NotesInput> {
  const { settings: s, versions: v, ref } = cfg;
  return pulumi
    .all([artifacts.images.images, chart.chart, artifacts.downloads.checksums, signingKey?.publicKey])
    .apply(([images, c, checksums, publicKey]) => ({
      version: v.app,
      mode: v.mode,
      sha: ref.sha,
      images: Object.values(images),
      chart: c,
      namespace: s.namespace,
      release: s.releaseName,
      valuesKeys: chartValueKeys(s.mains),
      changelog: cfg.changelog,
      checksums,
      // The formula is committed for tag releases only (components/announce.ts).
      tap: v.mode === "tag" ? s.homebrewTap : undefined,
      signing:
        s.signing === "none"
          ? undefined
          : {
              mode: s.signing,
              publicKey,
              tlog: s.signing === "keyless" || s.signingTlog,
              identity: s.signing === "keyless" ? s.keylessIdentity : undefined,
              issuer: s.signing === "keyless" ? s.keylessIssuer : undefined,
              bundle: CHECKSUMS_BUNDLE,
            },
      promotedFrom: promotion && { stack: promotion.stack, version: promotion.version, sha: promotion.sha },
    }));
}
