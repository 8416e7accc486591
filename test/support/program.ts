// Runs the whole program (index.ts) under mocks, with the external tools it calls faked: the wiring tests' one setup.
import * as pulumi from "@pulumi/pulumi";
import { fakeKubeconfig, githubGrantingWrites, goListingMainsOnly, helmWithoutReleases } from "./fake-tools";

/** The program's stack outputs, each an Output (or plain value) as index.ts returns them. */
/** The stack config of a branch build of commit 0123456 (build 3) to the local registry, with a GitHub release. */
export const BRANCH_BUILD: Record<string, string> = {
  "splai-release:registry": "127.0.0.1:5443",
  "splai-release:owner": "splai",
  "splai-release:mode": "branch",
  "splai-release:ref": "main",
  "splai-release:sha": "0123456789abcdef0123456789abcdef01234567",
  "splai-release:buildNumber": "3",
  "splai-release:githubRelease": "true",
};

/** What the chart-push step prints after pushing the `splai` chart to the local registry (alias `latest`). */
export const chartPushRecord = (version: string, digest: string): string =>
  JSON.stringify({ ref: "oci://127.0.0.1:5443/splai/charts/splai", name: "splai", version, digest, alias: "latest" });

export type ProgramOutputs = Record<string, pulumi.Output<unknown>>;

/**
 * Sets the stack's config (the two credentials as secrets, a kubeconfig with one context), fakes `helm`, `go` and
 * GitHub's answer to the token check, and
 * runs the program's async main inside a stack, as the engine's run would.
 */
export async function runProgram(
  mocks: pulumi.runtime.Mocks,
  stack: string,
  config: Record<string, string>,
  /** Sees every resource's name and options as the program constructs it (dependsOn, parent…). */
  observe?: (type: string, name: string, opts: pulumi.ResourceOptions) => void,
): Promise<ProgramOutputs> {
  pulumi.runtime.setAllConfig(
    {
      "splai-release:registryPassword": "s3cret-registry",
      "splai-release:githubToken": "s3cret-token",
      "splai-release:kubeconfig": fakeKubeconfig(),
      ...config,
    },
    ["splai-release:registryPassword", "splai-release:githubToken"],
  );
  helmWithoutReleases();
  githubGrantingWrites();
  goListingMainsOnly();
  await pulumi.runtime.setMocks(mocks, "splai-release", stack, false, "organization");
  let outputs: ProgramOutputs = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    if (observe)
      pulumi.runtime.registerStackTransformation((args) => {
        observe(args.type, args.name, args.opts);
        return undefined;
      });
    const main = (await import("../../index")) as unknown as { default: () => Promise<ProgramOutputs> };
    outputs = await main.default();
  });
  return outputs;
}
