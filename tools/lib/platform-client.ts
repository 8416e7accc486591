// The running local platform as tests and benchmarks use it: env, registry client, Kubernetes API, GitHub emulator.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { repoRoot } from "./paths";
import { OciClient } from "../../shared/oci";
import { fetchLocal } from "./local-http";
import { platformEnv, requirePlatform, type PlatformState } from "../platform/state";

export interface Platform {
  readonly state: PlatformState;
  readonly env: NodeJS.ProcessEnv;
  readonly registry: OciClient;
  /** GET/POST against the API server as the admin user; returns status and parsed JSON. */
  kube(path: string, method?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Request to the GitHub emulator's API with the platform token. */
  github(path: string, init?: RequestInit): Promise<Response>;
  /** The emulator's admin API: inject a fault, read the request log, clear faults. */
  emulator(path: "faults" | "requests", method?: string, body?: unknown): Promise<unknown>;
  /**
   * Deletes the release repository's releases of these tags, drafts included: a test that releases fixed tags starts
   * from none, whatever an earlier run on the same platform left (published releases are retained on destroy).
   */
  forgetReleases(tags: readonly string[]): Promise<void>;
  /** Runs `npm run platform -- <args>` (stop a service, bring everything up again). */
  platformCmd(...args: string[]): string;
  /** The Helm release `splai` in a namespace as Helm stores it (values, chart, status), read from its deployed Secret. */
  helmRelease(namespace: string, status?: string): Promise<HelmRelease[]>;
}

export interface HelmRelease {
  version: number;
  info: { status: string };
  chart: { metadata: { version: string } };
  config: Record<string, unknown>;
}

export function platform(): Platform {
  const state = requirePlatform();
  const pki = {
    ca: join(state.dir, "pki", "ca.pem"),
    adminCert: join(state.dir, "pki", "admin.pem"),
    adminKey: join(state.dir, "pki", "admin-key.pem"),
  };
  return {
    state,
    env: platformEnv(state),
    registry: new OciClient(state.registry.address, {
      username: state.registry.username,
      password: state.registry.password,
    }),
    kube: async (path, method = "GET", body) => {
      const r = await fetchLocal(`https://127.0.0.1:${state.ports.apiserver}${path}`, {
        pki,
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: 15_000,
      });
      return { status: r.status, json: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
    },
    github: (path, init = {}) =>
      fetch(new URL(path.replace(/^\//, ""), `${state.github.url}api/v3/`), {
        ...init,
        headers: {
          authorization: `Bearer ${state.github.token}`,
          accept: "application/vnd.github+json",
          ...(init.headers ?? {}),
        },
      }),
    forgetReleases: async (tags) => {
      const repo = `repos/${state.github.owner}/${state.github.repo}`;
      const api = (path: string, method = "GET"): Promise<Response> =>
        fetch(new URL(path, `${state.github.url}api/v3/`), {
          method,
          headers: { authorization: `Bearer ${state.github.token}`, accept: "application/vnd.github+json" },
        });
      for (let page = 1; ; page++) {
        const batch = (await (await api(`${repo}/releases?per_page=100&page=${page}`)).json()) as {
          id: number;
          tag_name: string;
        }[];
        for (const r of batch.filter((b) => tags.includes(b.tag_name))) {
          const del = await api(`${repo}/releases/${r.id}`, "DELETE");
          if (del.status !== 204) throw new Error(`cannot delete release ${r.tag_name}: HTTP ${del.status}`);
        }
        if (batch.length < 100) return;
      }
    },
    emulator: async (path, method = "GET", body) => {
      const r = await fetch(new URL(`_emulator/${path}`, state.github.url), {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      if (!r.ok) throw new Error(`emulator ${method} ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.status === 204 ? undefined : await r.json();
    },
    platformCmd: (...args) =>
      execFileSync(process.execPath, ["--import", "tsx", join(repoRoot, "tools", "platform", "main.ts"), ...args], {
        cwd: repoRoot,
        encoding: "utf8",
        stdio: "pipe",
      }),
    helmRelease: async (namespace, status) => {
      const sel = `owner%3Dhelm,name%3Dsplai${status ? `,status%3D${status}` : ""}`;
      const r = await fetchLocal(
        `https://127.0.0.1:${state.ports.apiserver}/api/v1/namespaces/${namespace}/secrets?labelSelector=${sel}`,
        {
          pki,
          timeoutMs: 15_000,
        },
      );
      const items = (JSON.parse(r.body) as { items: { data: { release: string } }[] }).items;
      // Helm stores base64(gzip(JSON)) in the Secret's data, which the API base64-encodes once more.
      return items
        .map(
          (i) =>
            JSON.parse(
              gunzipSync(Buffer.from(Buffer.from(i.data.release, "base64").toString("utf8"), "base64")).toString(
                "utf8",
              ),
            ) as HelmRelease,
        )
        .sort((a, b) => a.version - b.version);
    },
  };
}
