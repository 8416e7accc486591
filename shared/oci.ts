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
  readonly artifactType?: string;
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

/** The OCI 1.1 fallback tag that lists the referrers of `digest` where the registry has no referrers API. */
export const referrersTag = (digest: string): string => digest.replace(":", "-");

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
    return this.creds
      ? `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password}`).toString("base64")}`
      : undefined;
  }

  private async request(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<Response> {
    const url = `${this.scheme}://${this.registry}/v2/${path}`;
    const send = (auth?: string): Promise<Response> =>
      fetch(url, {
        method,
        headers: { ...headers, ...(auth ? { authorization: auth } : {}) },
        body,
        signal: AbortSignal.timeout(60_000),
      });
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
    if (!res.ok)
      throw new RegistryError(
        `GET ${this.registry}/${repository}:${reference}: HTTP ${res.status} ${await res.text()}`,
        res.status,
      );
    const body = Buffer.from(await res.arrayBuffer());
    const json = JSON.parse(body.toString("utf8")) as Manifest["json"];
    return {
      digest: sha256Digest(body),
      mediaType: res.headers.get("content-type") ?? json.mediaType ?? "",
      body,
      json,
    };
  }

  async putManifest(repository: string, tag: string, m: Pick<Manifest, "body" | "mediaType">): Promise<string> {
    const res = await this.request("PUT", `${repository}/manifests/${tag}`, { "content-type": m.mediaType }, m.body);
    if (!res.ok)
      throw new RegistryError(
        `PUT ${this.registry}/${repository}:${tag}: HTTP ${res.status} ${await res.text()}`,
        res.status,
      );
    return res.headers.get("docker-content-digest") ?? sha256Digest(m.body);
  }

  /** Deletes the manifest `digest` (and so every tag on it); false when there was none. */
  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const res = await this.request("DELETE", `${repository}/manifests/${digest}`);
    if (res.status === 404) return false;
    if (!res.ok)
      throw new RegistryError(
        `DELETE ${this.registry}/${repository}@${digest}: HTTP ${res.status} ${await res.text()}`,
        res.status,
      );
    return true;
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.request("GET", `${repository}/blobs/${digest}`);
    if (!res.ok) throw new RegistryError(`GET blob ${repository}@${digest}: HTTP ${res.status}`, res.status);
    return Buffer.from(await res.arrayBuffer());
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `${repository}/blobs/${digest}`);
    if (res.status === 404) return false;
    if (!res.ok) throw new RegistryError(`HEAD blob ${repository}@${digest}: HTTP ${res.status}`, res.status);
    return true;
  }

  /** Uploads `body` (monolithic POST + PUT) unless the repository already has it; returns its digest. */
  async putBlob(repository: string, body: Buffer): Promise<string> {
    const digest = sha256Digest(body);
    if (await this.hasBlob(repository, digest)) return digest;
    const start = await this.request("POST", `${repository}/blobs/uploads/`);
    if (start.status !== 202)
      throw new RegistryError(`POST upload to ${repository}: HTTP ${start.status} ${await start.text()}`, start.status);
    const location = start.headers.get("location") ?? "";
    const url = new URL(location, `${this.scheme}://${this.registry}`);
    url.searchParams.set("digest", digest);
    const path = `${url.pathname.replace(/^\/v2\//, "")}${url.search}`;
    const res = await this.request("PUT", path, { "content-type": "application/octet-stream" }, body);
    if (res.status !== 201)
      throw new RegistryError(`PUT blob ${repository}@${digest}: HTTP ${res.status} ${await res.text()}`, res.status);
    return digest;
  }

  /**
   * Makes blob `digest` of repository `from` (same registry) available in `repository`: a cross-repository mount where
   * the registry allows it, else a download and upload. Nothing is sent when `repository` already has it.
   */
  async copyBlob(repository: string, digest: string, from: string, source: OciClient = this): Promise<void> {
    if (await this.hasBlob(repository, digest)) return;
    if (source.registry === this.registry) {
      const q = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
      const res = await this.request("POST", `${repository}/blobs/uploads/?${q}`);
      if (res.status === 201) return;
      // 202: the registry opened an ordinary upload instead; it is abandoned and the blob uploaded below.
      await res.arrayBuffer().catch(() => undefined);
    }
    const body = await source.getBlob(from, digest);
    if (sha256Digest(body) !== digest)
      throw new RegistryError(`blob ${from}@${digest} read from ${source.registry} does not hash to its digest`);
    await this.putBlob(repository, body);
  }

  /**
   * Manifests whose `subject` is `digest`: the OCI referrers API, or, where the registry lacks it (distribution 3.x),
   * the spec's fallback index under the tag `sha256-<hex>`.
   */
  async referrers(repository: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
    const res = await this.request("GET", `${repository}/referrers/${digest}${q}`, {
      accept: "application/vnd.oci.image.index.v1+json",
    });
    let found: Descriptor[];
    if (res.ok) found = ((await res.json()) as { manifests?: Descriptor[] }).manifests ?? [];
    else if (res.status === 404)
      found = (await this.getManifest(repository, referrersTag(digest)))?.json.manifests ?? [];
    else throw new RegistryError(`GET referrers of ${repository}@${digest}: HTTP ${res.status}`, res.status);
    return artifactType ? found.filter((d) => d.artifactType === artifactType) : found;
  }

  /**
   * Pushes `body`, a manifest with a `subject`, by digest. A registry that does not index subjects (no `OCI-Subject`
   * header in its answer) gets the descriptor added to the fallback referrers index, as OCI distribution 1.1 asks.
   */
  async putReferrer(repository: string, body: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(body);
    const res = await this.request("PUT", `${repository}/manifests/${digest}`, { "content-type": mediaType }, body);
    if (!res.ok)
      throw new RegistryError(
        `PUT ${this.registry}/${repository}@${digest}: HTTP ${res.status} ${await res.text()}`,
        res.status,
      );
    if (res.headers.get("oci-subject")) return digest;
    const m = JSON.parse(body.toString("utf8")) as {
      subject?: Descriptor;
      artifactType?: string;
      annotations?: Record<string, string>;
      config?: Descriptor;
    };
    if (!m.subject) throw new RegistryError(`${repository}@${digest} has no subject; not a referrer`);
    const tag = referrersTag(m.subject.digest);
    const current = await this.getManifest(repository, tag);
    const manifests = (current?.json.manifests ?? []).filter((d) => d.digest !== digest);
    manifests.push({
      mediaType,
      digest,
      size: body.length,
      artifactType: m.artifactType ?? m.config?.mediaType,
      annotations: m.annotations,
    });
    const index = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }),
    );
    await this.putManifest(repository, tag, { body: index, mediaType: "application/vnd.oci.image.index.v1+json" });
    return digest;
  }

  async tags(repository: string): Promise<string[]> {
    const res = await this.request("GET", `${repository}/tags/list`);
    if (res.status === 404) return [];
    if (!res.ok) throw new RegistryError(`GET tags of ${repository}: HTTP ${res.status}`, res.status);
    return ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  }
}
