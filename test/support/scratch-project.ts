// A throwaway JavaScript Pulumi project beside a test's files, with its own backend (SPLAI_TEST_BACKEND), on the local platform.
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultBackendKind, stackBackend } from "../../tools/lib/stack-backend";
import type { Platform } from "../../tools/lib/platform-client";
import { repoRoot } from "../../tools/lib/paths";

/** Writes `program` as the project `name` under `work/project`, state under `work/state`, and creates stack `id`. */
export async function scratchProject(
  p: Platform,
  work: string,
  name: string,
  id: string,
  program: string,
): Promise<Stack> {
  const project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
  writeFileSync(join(project, "index.js"), program);
  writeFileSync(join(project, "package.json"), `{"name":"${name}","main":"index.js"}\n`);
  symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
  const backend = stackBackend(p.state, defaultBackendKind(), work, `${name}-${id}`);
  const envVars = {
    ...(p.env as Record<string, string>),
    ...backend.env,
    PULUMI_BACKEND_URL: backend.url,
    PULUMI_CONFIG_PASSPHRASE: name,
  };
  return LocalWorkspace.createStack({ stackName: id, workDir: project }, { envVars });
}
