// The fixture chart as the local stack deploys it: third-party parts off, services on their in-memory store, no image from outside.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import YAML from "yaml";
import { which } from "../../tools/lib/exec";
import { repoRoot, toolBinDir } from "../../tools/lib/paths";

const helm = existsSync(join(toolBinDir, "helm")) ? join(toolBinDir, "helm") : which("helm");
const localValues = (
  YAML.parse(readFileSync(join(repoRoot, "Pulumi.local.yaml"), "utf8")) as { config: Record<string, unknown> }
).config["splai-release:helmValues"] as Record<string, unknown>;

interface Doc {
  kind: string;
  metadata: { name: string };
  spec?: {
    template?: { spec?: { containers: { name: string; image: string; env?: { name: string; value?: string }[] }[] } };
  };
}

describe(
  "fixture chart with the local stack's values",
  { skip: helm ? undefined : "helm is not installed yet (npm run toolchain)" },
  () => {
    it("switches PostgreSQL, Redis and MinIO off and runs only the released images, in memory", () => {
      const values = {
        ...localValues,
        apiGateway: {
          ...(localValues.apiGateway as Record<string, unknown>),
          image: { repository: "127.0.0.1:5443/splai/splai-api-gateway", tag: "x" },
        },
      };
      const r = spawnSync(
        helm!,
        ["template", "splai", join(repoRoot, "test", "fixtures", "splai", "charts", "splai"), "-f", "-"],
        {
          input: JSON.stringify(values),
          encoding: "utf8",
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const docs = YAML.parseAllDocuments(r.stdout)
        .map((d) => d.toJSON() as Doc | null)
        .filter((d): d is Doc => d !== null);
      const containers = docs.flatMap((d) => d.spec?.template?.spec?.containers ?? []);
      assert.deepEqual(containers.map((c) => c.name).sort(), ["api-gateway", "planner", "scheduler", "worker"]);
      for (const c of containers)
        assert.doesNotMatch(c.image, /postgres|redis|minio|docker\.io/, `${c.name}: ${c.image}`);
      const gatewayEnv = Object.fromEntries(
        (containers.find((c) => c.name === "api-gateway")?.env ?? []).map((e) => [e.name, e.value]),
      );
      assert.equal(gatewayEnv.SPLAI_STORE, "memory");
      assert.equal(gatewayEnv.SPLAI_QUEUE, "memory");
      for (const k of ["SPLAI_POSTGRES_DSN", "SPLAI_REDIS_ADDR", "SPLAI_MINIO_ENDPOINT"])
        assert.equal(gatewayEnv[k], undefined, `${k} is not set`);
    });
  },
);
