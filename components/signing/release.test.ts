// The release's trust and signer from settings: keyless identity, trusted keys before the stack's own key, none.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReleaseConfig } from "../../config/load";
import type { Settings } from "../../config/validate";
import { valueOf } from "../../test/support/mocks";
import type { PublishedChart } from "../chart/contract";
import { publishedImage, type PublishedImage } from "../images/contract";
import { deployTargets, signerOf, trustPolicy } from "./release";
import type { SigningKey } from "./SigningKey";

const PUB = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";
const OWN = "-----BEGIN PUBLIC KEY-----\nOWN\n-----END PUBLIC KEY-----\n";
const base = {
  signing: "none",
  signingTlog: true,
  trustedKeys: [],
  keylessIdentity: "^https://github\\.com/splai/splai/\\.github/workflows/",
  keylessIssuer: "https://token.actions.githubusercontent.com",
} as const;
const settings = (o: Partial<Settings>): Settings => ({ ...base, ...o }) as unknown as Settings;
const key = { publicKey: pulumi.output(OWN) } as unknown as SigningKey;
const d = (c: string): string => `sha256:${c.repeat(64)}`;

describe("release signing: trust and signer", () => {
  it("keyless trusts the workflow identity and issuer, with Rekor", async () => {
    const t = trustPolicy(settings({ signing: "keyless" }));
    assert.deepEqual(await valueOf(t!), {
      mode: "keyless",
      keys: [],
      tlog: true,
      identity: base.keylessIdentity,
      issuer: base.keylessIssuer,
    });
  });

  it("key mode trusts the listed keys when there are any, else the stack's own key; nothing without either", async () => {
    assert.deepEqual(await valueOf(trustPolicy(settings({ signing: "key", trustedKeys: [PUB] }), key)!), {
      mode: "key",
      keys: [PUB],
      tlog: true,
    });
    assert.deepEqual(await valueOf(trustPolicy(settings({ signing: "key", signingTlog: false }), key)!), {
      mode: "key",
      keys: [OWN],
      tlog: false,
    });
    assert.deepEqual(await valueOf(trustPolicy(settings({ trustedKeys: [PUB] }))!), {
      mode: "key",
      keys: [PUB],
      tlog: true,
    });
    assert.equal(trustPolicy(settings({})), undefined, "signing none, no trusted keys: nothing verified");
  });

  it("signs with the config's key secrets in key mode, with the ambient identity keyless, not at all with none", () => {
    const secretKey = pulumi.secret("k");
    const cfg = (signing: Settings["signing"]): ReleaseConfig =>
      ({ settings: settings({ signing, signingTlog: false }), signingKey: secretKey }) as unknown as ReleaseConfig;
    assert.equal(signerOf(cfg("none")), undefined);
    assert.deepEqual(signerOf(cfg("keyless")), { mode: "keyless", tlog: true });
    const k = signerOf(cfg("key"))!;
    assert.equal(k.mode, "key");
    assert.equal(k.tlog, false);
    assert.equal(k.key, secretKey);
  });

  it("gates every pinned image by its immutable tag, and the chart only when the stack signs it", async () => {
    const images: Record<string, PublishedImage> = {
      planner: publishedImage("planner", "r:5/o/splai-planner", ["sha-1", "latest"], d("a"), []),
    };
    const chart: PublishedChart = {
      ref: "oci://r:5/o/charts/splai",
      name: "splai",
      version: "0.1.0-main.3",
      digest: d("c"),
      alias: "latest",
    };
    assert.deepEqual(await valueOf(deployTargets(pulumi.output(images), pulumi.output(chart))), [
      { name: "image planner", ref: `r:5/o/splai-planner@${d("a")}`, tag: "sha-1" },
      { name: "chart splai", ref: `r:5/o/charts/splai@${d("c")}`, tag: "0.1.0-main.3" },
    ]);
    assert.equal((await valueOf(deployTargets(pulumi.output(images), undefined))).length, 1);
  });
});
