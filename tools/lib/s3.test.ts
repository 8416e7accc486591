// The tooling's S3 client: AWS's own Signature V4 examples, and the backend URLs Pulumi 3.274 accepts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { envCredentials, parseS3BackendUrl, s3BackendUrl, signV4 } from "./s3";

const EXAMPLE = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
};
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const signature = (h: Record<string, string>): string => /Signature=([0-9a-f]+)/.exec(h.authorization)?.[1] ?? "";

describe("S3 signature V4", () => {
  it("signs AWS's documented GET Object example to its published signature", () => {
    const h = signV4(
      "GET",
      new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
      { Range: "bytes=0-9" },
      EMPTY,
      EXAMPLE,
      new Date("2013-05-24T00:00:00Z"),
    );
    assert.equal(signature(h), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assert.match(h.authorization, /SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,/);
  });

  it("signs AWS's documented list-objects example (sorted query) to its published signature", () => {
    const h = signV4(
      "GET",
      new URL("https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2"),
      {},
      EMPTY,
      EXAMPLE,
      new Date("2013-05-24T00:00:00Z"),
    );
    assert.equal(signature(h), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  });
});

describe("S3 backend URLs", () => {
  it("use the parameters gocloud.dev v0.46 reads without translation, readable, with an optional prefix", () => {
    const loc = { endpoint: "http://127.0.0.1:20900", bucket: "splai-state", prefix: "", region: "us-east-1" };
    assert.equal(
      s3BackendUrl(loc),
      "s3://splai-state?endpoint=http://127.0.0.1:20900&use_path_style=true&region=us-east-1",
    );
    assert.equal(
      s3BackendUrl({ ...loc, prefix: "tests/e2eabc/" }),
      "s3://splai-state/tests/e2eabc?endpoint=http://127.0.0.1:20900&use_path_style=true&region=us-east-1",
    );
  });

  it("read back to the same place, SDK v1 spellings and AWS itself included", () => {
    assert.deepEqual(
      parseS3BackendUrl(
        "s3://splai-state/tests/e2eabc?endpoint=http://127.0.0.1:20900&use_path_style=true&region=us-east-1",
      ),
      { endpoint: "http://127.0.0.1:20900", bucket: "splai-state", prefix: "tests/e2eabc/", region: "us-east-1" },
    );
    assert.deepEqual(
      parseS3BackendUrl("s3://b?endpoint=127.0.0.1:9000&s3ForcePathStyle=true&disableSSL=true&region=eu-west-1"),
      { endpoint: "http://127.0.0.1:9000", bucket: "b", prefix: "", region: "eu-west-1" },
    );
    assert.equal(
      parseS3BackendUrl("s3://team-state/splai?region=eu-west-1")?.endpoint,
      "https://s3.eu-west-1.amazonaws.com",
    );
    assert.equal(parseS3BackendUrl("file:///tmp/x?metadata=skip"), undefined);
  });

  it("take credentials from the AWS variables, and none when either is missing", () => {
    assert.deepEqual(envCredentials("us-east-1", { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s" }), {
      accessKeyId: "a",
      secretAccessKey: "s",
      region: "us-east-1",
    });
    assert.equal(envCredentials("us-east-1", { AWS_ACCESS_KEY_ID: "a" }), undefined);
  });
});
