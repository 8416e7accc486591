// The program the peer comparison runs (bench/peers.ts): splai-release's own components doing what GoReleaser does for
// SPLAI, from the same config and code path as index.ts: every main for every target, the archives, SHA256SUMS and
// the five two-platform images, pushed. No chart, deployment, GitHub release, signing or attestations.
import { releaseArtifacts } from "../components/artifacts";
import { loadConfig } from "../config/load";
import { releasePolicy } from "../config/policy";

export = async (): Promise<Record<string, unknown>> => {
  const cfg = loadConfig();
  const { binaries, images, downloads } = releaseArtifacts(
    cfg,
    releasePolicy(cfg.settings, cfg.versions),
    undefined,
    [],
  );
  return {
    binaries: binaries.binaries.apply((bs) => bs.length),
    archives: downloads.files.apply((fs) => fs.map((f) => f.path)),
    checksums: downloads.checksumsPath,
    images: images.images.apply((m) => Object.values(m).map((i) => i.ref)),
  };
};
