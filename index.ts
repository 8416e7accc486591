// splai-release: one stack's release. Config in, checks before anything changes, components wired, what was released out.
import * as pulumi from "@pulumi/pulumi";
import { announce } from "./components/announce";
import { releaseArtifacts } from "./components/artifacts";
import { hostBinaryPath } from "./components/binaries/contract";
import { ChartPublish } from "./components/chart/ChartPublish";
import { ReleaseGuard } from "./components/deploy/ReleaseGuard";
import { releaseDescription } from "./components/deploy/rollback";
import { SplaiDeployment } from "./components/deploy/SplaiDeployment";
import { Verification } from "./components/deploy/Verification";
import { pinnedRefs } from "./components/images/contract";
import { notesInput } from "./components/notes-input";
import { stackOutputs } from "./components/outputs";
import { checkGitHubAccess, checkReleaseName, promotionSource, releasedBefore } from "./components/preflight";
import { deployGate, signerOf, signRelease, trustPolicy } from "./components/signing/release";
import { SigningKey } from "./components/signing/SigningKey";
import { loadConfig } from "./config/load";
import { releasePolicy } from "./config/policy";
import { chartValueKeys } from "./shared/layout";
import { dropRpcDebugDumps } from "./shared/sdk-log";

dropRpcDebugDumps();

export = async (): Promise<Record<string, unknown>> => {
  const cfg = loadConfig();
  const { settings: s, versions: v } = cfg;
  const policy = releasePolicy(s, v);
  const stackName = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  // Awaited before any resource exists: a refused promotion, a release name owned by another stack or a GitHub token
  // that cannot write changes nothing.
  const promotion = await promotionSource(cfg);
  await checkReleaseName(cfg, stackName);
  await checkGitHubAccess(cfg, policy);
  const published = await releasedBefore(cfg, policy, stackName);

  const cluster = {
    namespace: s.namespace,
    releaseName: s.releaseName,
    kubeconfig: s.kubeconfig,
    context: s.kubeContext,
  };
  // A tag release first checks that it would not silently roll the deployment back to an older version.
  const guard = policy.rollbackGuard
    ? new ReleaseGuard("guard", { ...cluster, chartVersion: v.chart, allowRollback: s.allowRollback })
    : undefined;
  // What this stack signs with and trusts: a promotion verifies dev's signatures with it, a deployment its digests.
  const signingKey =
    s.signing === "key"
      ? new SigningKey("signing", { key: cfg.signingKey!, password: cfg.signingPassword })
      : undefined;
  const trust = trustPolicy(s, signingKey);
  const artifacts = releaseArtifacts(cfg, policy, promotion, guard?.checks ?? [], trust);
  const { binaries, images } = artifacts;

  // The chart goes out only once the images it will point at are pushed.
  const chart = new ChartPublish(
    "chart",
    {
      chartPath: s.chartPath,
      version: v.chart,
      appVersion: v.app,
      registry: s.registry,
      owner: s.owner,
      registryUsername: s.registryUsername,
      registryPassword: cfg.registryPassword,
      immutable: policy.immutable,
    },
    { dependsOn: [images] },
  );

  const signer = signerOf(cfg);
  const signatures = signer ? signRelease(cfg, signer, artifacts, chart) : undefined;
  // The Helm release is upgraded only when every digest it pins (and the chart) verifies against the stack's trust.
  const gate =
    s.deploy && trust ? deployGate(cfg, trust, images.images, chart.chart, signatures?.all ?? []) : undefined;

  const deployment = s.deploy
    ? new SplaiDeployment("splai", {
        chart: chart.chart,
        chartVersion: v.chart,
        images: images.images,
        valuesKeys: chartValueKeys(s.mains),
        ...cluster,
        description: releaseDescription(stackName, v.releaseTag),
        extraValues: s.helmValues,
        atomic: policy.atomic,
        forbidMovingTags: policy.forbidMovingTags,
        timeout: s.helmTimeout,
        helmWaits: policy.helmWaits,
        registryUsername: s.registryUsername,
        registryPassword: cfg.registryPassword,
        after: gate ? [gate.check] : undefined,
      })
    : undefined;

  const verifier =
    deployment && policy.verify
      ? new Verification(
          "verify",
          {
            kubeconfig: s.kubeconfig,
            context: s.kubeContext,
            namespace: deployment.namespace,
            releaseName: deployment.releaseName,
            revision: deployment.revision,
            images: pinnedRefs(images),
            // The released splaictl that runs on this machine checks the deployed control plane.
            splaictl: hostBinaryPath(binaries, "splaictl"),
            timeout: s.helmTimeout,
            rollbackOnFailure: policy.atomic,
            requireRealNode: policy.requireRealNode,
          },
          { dependsOn: [deployment] },
        )
      : undefined;
  const notes = notesInput(cfg, artifacts, chart, promotion, signingKey);
  const announced = announce(
    cfg,
    policy,
    artifacts,
    notes,
    [deployment, verifier].filter((r): r is NonNullable<typeof r> => r !== undefined),
    published,
    signatures,
  );
  return stackOutputs({
    cfg,
    artifacts,
    chart,
    notes,
    promotion,
    deployment,
    verifier,
    signatures,
    signatureGate: gate,
    ...announced,
  });
};
