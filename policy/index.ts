// splai-release's policy pack: refuses at preview (and again at up) a release that breaks a release rule (rules.ts).
import { PolicyPack, validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import { releaseTagOf } from "../components/deploy/rollback";
import {
  chartNotReleaseVersion,
  imagesNotOnReleaseTag,
  latestOnRelease,
  prereleaseOfReleaseTag,
  unpinnedImages,
} from "./rules";

type HelmRelease = k8s.helm.v3.ReleaseArgs & { name?: string; description?: string };

/**
 * A mandatory rule on every Helm release. A rule reads only the properties it names: the engine skips a rule at preview
 * that reads a value not known yet (the image values while images are rebuilt), and runs it at up.
 */
function helmRule(
  name: string,
  description: string,
  check: (r: HelmRelease, release: string) => string[],
): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(k8s.helm.v3.Release, (r, args, reportViolation) => {
      const release = r as HelmRelease;
      for (const p of check(release, release.name ?? args.name)) reportViolation(p);
    }),
  };
}

new PolicyPack("splai-release", {
  policies: [
    helmRule("images-pinned-by-digest", "Every image a Helm release runs is pinned as <tag>@sha256:<digest>.", (r, n) =>
      unpinnedImages(n, r.values),
    ),
    helmRule(
      "no-latest-on-release-chart",
      "A release chart (X.Y.Z) never runs an image by the moving tag latest.",
      (r, n) => latestOnRelease(n, r.version, r.values),
    ),
    helmRule("chart-is-release-version", "A tag release deploys the chart of its version (X.Y.Z for vX.Y.Z).", (r, n) =>
      chartNotReleaseVersion(releaseTagOf(r.description), n, r.version),
    ),
    helmRule("images-on-release-tag", "A tag release pins every image by its own tag (X.Y.Z@sha256:…).", (r, n) =>
      imagesNotOnReleaseTag(releaseTagOf(r.description), n, r.values),
    ),
    {
      name: "release-tag-not-prerelease",
      description: "A GitHub release of a vX.Y.Z tag is not marked prerelease.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(github.Release, (r, args, reportViolation) => {
        for (const p of prereleaseOfReleaseTag(args.name, r.tagName, r.prerelease)) reportViolation(p);
      }),
    },
  ],
});
