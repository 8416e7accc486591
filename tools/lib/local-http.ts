// One HTTP(S) request to a local platform service, trusting the platform CA and presenting the admin client cert when given.
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Pki } from "../platform/certs";

export interface HttpResult {
  status: number;
  body: string;
}

export function fetchLocal(
  url: string,
  opts: {
    pki?: Pick<Pki, "ca" | "adminCert" | "adminKey">;
    method?: string;
    body?: string;
    timeoutMs?: number;
    contentType?: string;
  } = {},
): Promise<HttpResult> {
  const isHttps = new URL(url).protocol === "https:";
  const req = isHttps ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      url,
      {
        method: opts.method ?? "GET",
        timeout: opts.timeoutMs ?? 5000,
        ...(isHttps && opts.pki
          ? {
              ca: readFileSync(opts.pki.ca),
              cert: readFileSync(opts.pki.adminCert),
              key: readFileSync(opts.pki.adminKey),
            }
          : {}),
        headers: { "content-type": opts.contentType ?? "application/json" },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    r.on("timeout", () => r.destroy(new Error(`timeout requesting ${url}`)));
    r.on("error", reject);
    r.end(opts.body);
  });
}
