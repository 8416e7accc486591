// A small OCI distribution client (manifests and blobs, basic or bearer auth), for chart aliases, immutability checks and tests.
import { createHash } from "node:crypto";

export interface OciCredentials {
  readonly username: string;
  readonly password: string;
}

export interface Descriptor {
  readonly digest: string;
  readonly mediaType: string;
  readonly size?: number;
  readonly platform?: { os: string; architecture: string; variant?: string };
  readonly annotations?: Record<string, string>;
}

export interface Manifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly body: Buffer;
  readonly json: { mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export const sha256Digest = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export class OciClient {
  private token?: string;

  constructor(
    /** host[:port] */
    readonly registry: string,
    private readonly creds?: OciCredentials,
    private readonly scheme: "https" | "http" = "https",
  ) {}

  private basic(): string | undefined {
    return this.creds ? `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString("base64")}` : undefined;
  }

  private async request(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Response> {
    const url = `${this.scheme}://${this.registry}/v2/${path}`;
    const send = (auth?: string): Promise<Response> =>
      fetch(url, { method, headers: { ...headers, ...(auth ? { authorization: auth } : {}) }, body, signal: AbortSignal.timeout(60_000) });
    let res = await send(this.token ? `Bearer ${this.token}` : this.basic());
    if (res.status === 401) {
      const challenge = res.headers.get("www-authenticate") ?? "";
      if (challenge.startsWith("Bearer")) {
        this.token = await this.fetchToken(challenge);
        res = await send(`Bearer ${this.token}`);
      }
    }
    return res;
  }

  private async fetchToken(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const u = new URL(params.realm);
    if (params.service) u.searchParams.set("service", params.service);
    if (params.scope) u.searchParams.set("scope", params.scope);
    const auth = this.basic();
    const res = await fetch(u, { headers: auth ? { authorization: auth } : {}, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new RegistryError(`token request to ${u.host} failed: HTTP ${res.status}`, res.status);
    const j = (await res.json()) as { token?: string; access_token?: string };
    return j.token ?? j.access_token ?? "";
  }

  /** The manifest at `reference` (tag or digest), or undefined when it does not exist. */
  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const res = await this.request("GET", `${repository}/manifests/${reference}`, { accept: MANIFEST_TYPES });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new RegistryError(`GET ${this.registry}/${repository}:${reference}: HTTP ${res.status} ${await res.text()}`, res.status);
    const body = Buffer.from(await res.arrayBuffer());
    const json = JSON.parse(body.toString("utf8")) as Manifest["json"];
    return { digest: sha256Digest(body), mediaType: res.headers.get("content-type") ?? json.mediaType ?? "", body, json };
  }

  async putManifest(repository: string, tag: string, m: Pick<Manifest, "body" | "mediaType">): Promise<string> {
    const res = await this.request("PUT", `${repository}/manifests/${tag}`, { "content-type": m.mediaType }, m.body);
    if (!res.ok) throw new RegistryError(`PUT ${this.registry}/${repository}:${tag}: HTTP ${res.status} ${await res.text()}`, res.status);
    return res.headers.get("docker-content-digest") ?? sha256Digest(m.body);
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.request("GET", `${repository}/blobs/${digest}`);
    if (!res.ok) throw new RegistryError(`GET blob ${repository}@${digest}: HTTP ${res.status}`, res.status);
    return Buffer.from(await res.arrayBuffer());
  }

  async tags(repository: string): Promise<string[]> {
    const res = await this.request("GET", `${repository}/tags/list`);
    if (res.status === 404) return [];
    if (!res.ok) throw new RegistryError(`GET tags of ${repository}: HTTP ${res.status}`, res.status);
    return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  }
}
