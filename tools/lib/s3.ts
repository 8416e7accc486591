// A minimal S3 client (AWS Signature V4, path-style) for tooling: the platform's bucket, test prefixes, recover's locks.
import { createHash, createHmac } from "node:crypto";

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** Where an S3 backend URL points: endpoint (with scheme), bucket and key prefix ("" or ending in "/"). */
export interface S3Location {
  readonly endpoint: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
}

export interface S3Response {
  status: number;
  body: string;
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The headers that sign one request with AWS Signature Version 4 (service s3). `path` is the URI path, already
 * encoded; `query` is the decoded query; `headers` are the request's other headers (host is taken from `url`).
 */
export function signV4(
  method: string,
  url: URL,
  headers: Record<string, string>,
  payloadHash: string,
  creds: S3Credentials,
  now: Date,
): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const all: Record<string, string> = {
    ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: url.host,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": payloadHash,
  };
  const names = Object.keys(all).sort();
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [
    method,
    url.pathname,
    query,
    ...names.map((n) => `${n}:${all[n]}`),
    "",
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${creds.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), creds.region), "s3"), "aws4_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

/** Path-style requests to one S3 endpoint (versitygw, MinIO, AWS with a region endpoint). */
export class S3Client {
  constructor(
    private readonly endpoint: string,
    private readonly creds: S3Credentials,
  ) {}

  async request(
    method: string,
    bucket: string,
    key = "",
    query: Record<string, string> = {},
    body = "",
  ): Promise<S3Response> {
    const url = new URL(
      `/${bucket}${key ? `/${key.split("/").map(rfc3986).join("/")}` : ""}`,
      this.endpoint.endsWith("/") ? this.endpoint : `${this.endpoint}/`,
    );
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers = signV4(method, url, {}, sha256(body), this.creds, new Date());
    delete headers.host;
    const r = await fetch(url, { method, headers, body: body === "" ? undefined : body });
    return { status: r.status, body: await r.text() };
  }

  /** Creates the bucket unless this account already owns it. */
  async ensureBucket(bucket: string): Promise<void> {
    if ((await this.request("HEAD", bucket)).status === 200) return;
    const r = await this.request("PUT", bucket);
    if (r.status !== 200 && !/BucketAlreadyOwnedByYou/.test(r.body))
      throw new Error(`cannot create bucket ${bucket} at ${this.endpoint}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  }

  /** Every key under `prefix`, following continuation tokens. */
  async list(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.request("GET", bucket, "", {
        "list-type": "2",
        prefix,
        ...(token ? { "continuation-token": token } : {}),
      });
      if (r.status !== 200)
        throw new Error(`cannot list s3://${bucket}/${prefix}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
      keys.push(...[...r.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => xmlText(m[1])));
      token = /<IsTruncated>true<\/IsTruncated>/.test(r.body)
        ? xmlText(/<NextContinuationToken>([^<]*)</.exec(r.body)?.[1] ?? "")
        : undefined;
    } while (token);
    return keys;
  }

  async get(bucket: string, key: string): Promise<string> {
    const r = await this.request("GET", bucket, key);
    if (r.status !== 200) throw new Error(`cannot read s3://${bucket}/${key}: HTTP ${r.status}`);
    return r.body;
  }

  async delete(bucket: string, key: string): Promise<void> {
    const r = await this.request("DELETE", bucket, key);
    if (r.status !== 204 && r.status !== 200) throw new Error(`cannot delete s3://${bucket}/${key}: HTTP ${r.status}`);
  }
}

const xmlText = (s: string): string =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/**
 * The Pulumi backend URL of an S3-compatible store, in the parameters gocloud.dev v0.46's s3blob (Pulumi 3.274)
 * understands without translation: `endpoint` with its scheme, `use_path_style`, `region`. Pulumi still accepts the
 * SDK v1 names (`disableSSL`, `s3ForcePathStyle`, a scheme-less endpoint) and rewrites them to these.
 */
export function s3BackendUrl(loc: S3Location): string {
  const path = loc.prefix.replace(/\/+$/, "");
  const q = new URLSearchParams({ endpoint: loc.endpoint, use_path_style: "true", region: loc.region });
  return `s3://${loc.bucket}${path ? `/${path}` : ""}?${q.toString().replace(/%3A/g, ":").replace(/%2F/g, "/")}`;
}

/** Reads an s3:// backend URL back (endpoint defaults to AWS's regional one); undefined for other schemes. */
export function parseS3BackendUrl(url: string): S3Location | undefined {
  if (!url.startsWith("s3://")) return undefined;
  const u = new URL(url);
  const region = u.searchParams.get("region") ?? process.env.AWS_REGION ?? "us-east-1";
  let endpoint = u.searchParams.get("endpoint") ?? `https://s3.${region}.amazonaws.com`;
  if (!endpoint.includes("://"))
    endpoint = `${/^(1|true)$/i.test(u.searchParams.get("disableSSL") ?? "") ? "http" : "https"}://${endpoint}`;
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+/, "");
  return { endpoint, bucket: u.hostname, prefix: prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix, region };
}

/** The credentials of the AWS environment variables, or undefined when they are not set. */
export function envCredentials(region: string, env: NodeJS.ProcessEnv = process.env): S3Credentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, region: env.AWS_REGION ?? region };
}
