// The platform's S3-compatible object store (`up --state s3`): versitygw over a posix directory, holding the bucket
// of the platform's Pulumi state and of the tests that ask for an S3 backend.
import { fetchLocal } from "../../lib/local-http";
import { S3Client } from "../../lib/s3";
import { startDetached } from "../procs";
import { bin, data, logOf, type Service } from "../service";
import type { PlatformState } from "../state";

export const objectStore = (s: PlatformState): S3Client =>
  new S3Client(s.s3.endpoint, {
    accessKeyId: s.s3.accessKeyId,
    secretAccessKey: s.s3.secretAccessKey,
    region: s.s3.region,
  });

export const versitygw: Service = {
  name: "versitygw",
  state: "s3",
  ports: (s) => [[s.ports.s3, "SPLAI_PORT_S3"]],
  start: async (s) =>
    startDetached(
      bin("versitygw"),
      [
        "--port",
        `127.0.0.1:${s.ports.s3}`,
        "--region",
        s.s3.region,
        "--health",
        "/health",
        "--quiet",
        // Buckets are directories of data/s3, metadata (ETags, ACLs) their extended attributes.
        "posix",
        data(s, "s3"),
      ],
      logOf(s, "versitygw"),
      // The root account's keys travel in the environment, never in argv (visible in ps).
      { ...process.env, ROOT_ACCESS_KEY_ID: s.s3.accessKeyId, ROOT_SECRET_ACCESS_KEY: s.s3.secretAccessKey },
    ),
  ready: async (s) => (await fetchLocal(`${s.s3.endpoint}/health`)).status === 200,
  // The bucket of the platform's stacks; creating it again is a no-op.
  afterReady: async (s) => objectStore(s).ensureBucket(s.s3.bucket),
  timeoutMs: 30_000,
  describe: (s) => `${s.s3.endpoint} (bucket ${s.s3.bucket}, access key ${s.s3.accessKeyId}, posix data/s3)`,
};
