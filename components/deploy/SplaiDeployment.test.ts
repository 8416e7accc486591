// SplaiDeployment on its own under mocks: namespace, Helm release of the chart, images pinned, waits, secrets.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  collectRejections,
  inPlaintext,
  isSecret,
  unsecret,
  valueOf,
  withMocks,
  type MockMonitor,
  type Recorded,
} from "../../test/support/mocks";
import type { PublishedChart } from "../chart/contract";
import type { PublishedImage } from "../images/contract";
import { deployChildren } from "./contract";
import { SplaiDeployment, type SplaiDeploymentArgs } from "./SplaiDeployment";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const PASSWORD = "s3cret-registry";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{ name: u, user: { token: s3cret-kube-token } }]\n";
const CHART: PublishedChart = {
  ref: "oci://reg.example/splai/charts/splai",
  name: "splai",
  version: "1.2.3",
  digest: `sha256:${"c".repeat(64)}`,
  alias: "latest",
};
const KEYS = { "api-gateway": "apiGateway", scheduler: "scheduler", planner: "planner", "worker-agent": "worker" };
const digestOf = (image: string): string => `sha256:${String(Object.keys(KEYS).indexOf(image) + 1).repeat(64)}`;
/** ServiceImages' record of each image (the operator has no chart value key), first tagged `tag`. */
const published = (tag: string): Record<string, PublishedImage> =>
  Object.fromEntries(
    [...Object.keys(KEYS), "operator"].map((image) => {
      const repository = `reg.example/splai/splai-${image}`;
      const digest = digestOf(image);
      return [
        image,
        {
          name: `splai-${image}`,
          repository,
          tags: [tag],
          digest,
          ref: `${repository}@${digest}`,
          pinnedTag: `${tag}@${digest}`,
          attestations: [],
        },
      ];
    }),
  );
const EXTRA = {
  redis: { enabled: false },
  planner: { replicas: 2, image: { pullPolicy: "Always", tag: "unpinned", repository: "elsewhere/planner" } },
};

let monitor: MockMonitor;
let deployment: SplaiDeployment;
let noWait: SplaiDeployment;
let rejections: ReturnType<typeof collectRejections>;

const base = (name: string): SplaiDeploymentArgs => ({
  chart: pulumi.output(CHART),
  images: pulumi.output(published("v1.2.3")),
  valuesKeys: KEYS,
  namespace: `${name}-system`,
  registryUsername: "robot",
  registryPassword: PASSWORD,
});

before(async () => {
  rejections = collectRejections();
  ({ monitor, value: deployment } = await withMocks(
    ({ type }) => {
      if (type === RELEASE) return { status: { status: "deployed", revision: 4 } };
      return type === NAMESPACE ? {} : undefined;
    },
    () => {
      const tagRelease = new SplaiDeployment("splai", {
        ...base("splai"),
        releaseName: "splai-prod",
        description: "deployed by org/splai-release/prod",
        kubeconfig: KUBECONFIG,
        context: "prod",
        extraValues: pulumi.output(EXTRA),
        atomic: true,
        timeout: 600,
        forbidMovingTags: true,
      });
      // A branch build: `latest` allowed, the Verification waits and rolls back instead of Helm.
      noWait = new SplaiDeployment("nowait", {
        ...base("nowait"),
        images: published("latest"),
        atomic: true,
        helmWaits: false,
      });
      new SplaiDeployment("moving", { ...base("moving"), images: published("latest"), forbidMovingTags: true });
      return tagRelease;
    },
  ));
  await Promise.all([valueOf(deployment.revision), valueOf(noWait.revision)]);
});

after(() => rejections.restore());

const releaseOf = (name: string): Recorded => monitor.find(RELEASE, deployChildren(name).release);
const providerOf = (name: string): Recorded =>
  monitor.find("pulumi:providers:kubernetes", deployChildren(name).provider);
type Values = Record<string, { image?: { repository: string; tag: string; pullPolicy: string } } & object>;

describe("SplaiDeployment", () => {
  it("creates its namespace, labelled as managed by splai-release, through its own cluster's provider", async () => {
    const ns = monitor.find(NAMESPACE, deployChildren("splai").namespace);
    assert.deepEqual(ns.inputs.metadata, {
      name: "splai-system",
      labels: { "app.kubernetes.io/managed-by": "splai-release" },
    });
    const provider = monitor.optionsOf(ns).provider as k8s.Provider;
    assert.equal((await valueOf(provider.urn)).split("::").pop(), deployChildren("splai").provider);
    assert.equal(monitor.optionsOf(releaseOf("splai")).provider, provider);
    assert.equal(providerOf("splai").inputs.context, "prod");
    assert.equal(await valueOf(deployment.namespace), "splai-system");
  });

  it("gives a kubeconfig document to its provider only inside a secret", () => {
    const inputs = providerOf("splai").inputs;
    assert.equal(inPlaintext(inputs, "s3cret-kube-token"), false);
    assert.equal(unsecret<string>(inputs.kubeconfig), KUBECONFIG);
  });

  it("installs the published chart's version as the named Helm release in its namespace, with a description", () => {
    const rel = releaseOf("splai");
    assert.equal(rel.inputs.name, "splai-prod");
    assert.equal(rel.inputs.namespace, "splai-system");
    assert.equal(rel.inputs.chart, CHART.ref);
    assert.equal(rel.inputs.version, CHART.version);
    assert.equal(rel.inputs.description, "deployed by org/splai-release/prod");
    assert.equal(rel.inputs.maxHistory, 10);
    assert.equal(releaseOf("nowait").inputs.name, "splai", "Helm release `splai` by default");
    assert.equal(releaseOf("nowait").inputs.description, undefined, "Helm's own description by default");
  });

  it("pins each image by digest under its chart value key", async () => {
    const values = releaseOf("nowait").inputs.values as Values;
    for (const [image, key] of Object.entries(KEYS))
      assert.deepEqual(values[key].image, {
        repository: `reg.example/splai/splai-${image}`,
        tag: `latest@${digestOf(image)}`,
        pullPolicy: "IfNotPresent",
      });
    assert.deepEqual(Object.keys(values).sort(), Object.values(KEYS).sort(), "only images with a chart value key");
    assert.deepEqual(await valueOf(noWait.values), values);
  });

  it("merges the extra values under the images: extras add settings and the pull policy, never the image", () => {
    const values = releaseOf("splai").inputs.values as Values;
    assert.deepEqual(values.redis, { enabled: false });
    assert.deepEqual(values.planner, {
      replicas: 2,
      image: {
        repository: "reg.example/splai/splai-planner",
        tag: `v1.2.3@${digestOf("planner")}`,
        pullPolicy: "Always",
      },
    });
    assert.equal(values.scheduler.image?.tag, `v1.2.3@${digestOf("scheduler")}`);
  });

  it("lets Helm wait and roll back itself when helmWaits, with the given timeout", () => {
    const rel = releaseOf("splai").inputs;
    assert.deepEqual(
      [rel.atomic, rel.skipAwait, rel.waitForJobs, rel.cleanupOnFail, rel.timeout],
      [true, false, true, true, 600],
    );
  });

  it("neither waits nor rolls back in Helm when a Verification takes over (helmWaits false), even if atomic", () => {
    const rel = releaseOf("nowait").inputs;
    assert.deepEqual(
      [rel.atomic, rel.skipAwait, rel.waitForJobs, rel.cleanupOnFail, rel.timeout],
      [false, true, false, false, 300],
    );
  });

  it("refuses the moving tag `latest` when moving tags are forbidden, and installs nothing", async () => {
    const errors = await rejections.first();
    assert.ok(errors.length > 0, "the deployment failed");
    for (const e of errors)
      assert.match(String(e), /apiGateway\.image\.tag 'latest@sha256:1{64}' uses the moving tag 'latest'/);
    assert.equal(
      monitor.resources.some((r) => r.type === RELEASE && r.name === deployChildren("moving").release),
      false,
    );
  });

  it("keeps the registry credentials of the chart repository secret in the release's state", () => {
    for (const name of ["splai", "nowait"]) {
      const rel = releaseOf(name);
      assert.ok(monitor.optionsOf(rel).additionalSecretOutputs?.includes("repositoryOpts"), name);
      const opts = unsecret<Record<string, unknown>>(rel.inputs.repositoryOpts);
      assert.equal(opts.username, "robot");
      assert.equal(unsecret(opts.password), PASSWORD);
    }
  });

  it("gives the registry password to Helm only inside a secret", () => {
    const rel = releaseOf("splai");
    const opts = unsecret<Record<string, unknown>>(rel.inputs.repositoryOpts);
    assert.ok(isSecret(rel.inputs.repositoryOpts) || isSecret(opts.password));
    assert.equal(inPlaintext(rel.inputs, PASSWORD), false);
  });

  it("exposes the release's name, status and revision, and is the parent of its resources", async () => {
    assert.equal(await valueOf(deployment.releaseName), "splai-prod");
    assert.equal(await valueOf(deployment.status), "deployed");
    assert.equal(await valueOf(deployment.revision), 4);
    for (const r of monitor.resources.filter((x) => x.name.startsWith("splai-") && x.type !== "pulumi:pulumi:Stack"))
      assert.equal(monitor.optionsOf(r).parent, deployment, r.name);
  });
});
