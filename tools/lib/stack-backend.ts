// The backend a test's or benchmark's throwaway stacks live in: a file backend of their own (default), or a prefix of
// the platform's S3 bucket (`backend: "s3"` or SPLAI_TEST_BACKEND=s3, with `npm run platform -- up --state s3`).
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileBackendUrl } from "./backend";
import { UserError } from "./log";
import { S3Client, s3BackendUrl } from "./s3";
import { objectStoreEnv, type PlatformState } from "../platform/state";

export type BackendKind = "file" | "s3";

export interface StackBackend {
  readonly kind: BackendKind;
  /** PULUMI_BACKEND_URL. */
  readonly url: string;
  /** What the CLI needs besides the URL (the object store's credentials). */
  readonly env: Record<string, string>;
  /** Deletes what the stacks left in the backend (history, backups, the project's metadata). */
  remove(): Promise<void>;
}

/** `SPLAI_TEST_BACKEND` (`file` or `s3`), else file. */
export function defaultBackendKind(env: NodeJS.ProcessEnv = process.env): BackendKind {
  const raw = env.SPLAI_TEST_BACKEND ?? "file";
  if (raw !== "file" && raw !== "s3")
    throw new UserError(`SPLAI_TEST_BACKEND=${raw} is not accepted; use file (default) or s3`);
  return raw;
}

/**
 * A fresh backend named `id`: the file backend `<dir>/state`, or the prefix `tests/<id>/` of the platform's bucket,
 * which needs the platform's object store running.
 */
export function stackBackend(s: PlatformState, kind: BackendKind, dir: string, id: string): StackBackend {
  if (kind === "file") {
    const state = join(dir, "state");
    mkdirSync(state, { recursive: true });
    return {
      kind,
      url: fileBackendUrl(state),
      env: {},
      remove: async () => rmSync(state, { recursive: true, force: true }),
    };
  }
  if (s.pulumi.mode !== "s3" || !s.procs.versitygw)
    throw new UserError(
      "an S3 backend needs the platform's object store; start it with: npm run platform -- up --state s3",
    );
  const prefix = `tests/${id}/`;
  const client = new S3Client(s.s3.endpoint, {
    accessKeyId: s.s3.accessKeyId,
    secretAccessKey: s.s3.secretAccessKey,
    region: s.s3.region,
  });
  return {
    kind,
    url: s3BackendUrl({ endpoint: s.s3.endpoint, bucket: s.s3.bucket, prefix, region: s.s3.region }),
    env: objectStoreEnv(s),
    remove: async () => {
      for (const key of await client.list(s.s3.bucket, prefix)) await client.delete(s.s3.bucket, key);
    },
  };
}
