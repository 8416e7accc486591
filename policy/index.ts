// splai-release's policy pack: refuses at preview (and again at up) a release that breaks a release rule (rules.ts).
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";
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

new PolicyPack("splai-release", {
  policies: [
    {
      name: "images-pinned-by-digest",
      description: "Every image a Helm release runs is pinned as <tag>@sha256:<digest>.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(k8s.helm.v3.Release, (r, args, reportViolation) => {
        for (const p of unpinnedImages(r.name ?? args.name, r.values)) reportViolation(p);
      }),
    },
    {
      name: "no-latest-on-release-chart",
      description: "A release chart (X.Y.Z) never runs an image by the moving tag latest.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(k8s.helm.v3.Release, (r, args, reportViolation) => {
        for (const p of latestOnRelease(r.name ?? args.name, r.version, r.values)) reportViolation(p);
      }),
    },
    {
      name: "release-tag-not-prerelease",
      description: "A GitHub release of a vX.Y.Z tag is not marked prerelease.",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(github.Release, (r, args, reportViolation) => {
        for (const p of prereleaseOfReleaseTag(args.name, r.tagName, r.prerelease)) reportViolation(p);
      }),
    },
    {
      name: "chart-is-release-version",
      description: "A tag release deploys the chart of the tag's version (X.Y.Z for vX.Y.Z), never a prerelease chart.",
      enforcementLevel: "mandatory",
      // Reads only the description and the version, both known at preview.
      validateResource: validateResourceOfType(k8s.helm.v3.Release, (r, args, reportViolation) => {
        for (const p of chartNotReleaseVersion(releaseTagOf(r.description), r.name ?? args.name, r.version))
          reportViolation(p);
      }),
    },
    {
      name: "images-on-release-tag",
      description: "A tag release pins every image by its own immutable tag (X.Y.Z@sha256:…).",
      enforcementLevel: "mandatory",
      validateResource: validateResourceOfType(k8s.helm.v3.Release, (r, args, reportViolation) => {
        for (const p of imagesNotOnReleaseTag(releaseTagOf(r.description), r.name ?? args.name, r.values))
          reportViolation(p);
      }),
    },
  ],
});
