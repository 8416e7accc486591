// Generates the local platform's PKI with openssl: one CA, serving certs for the registry and API server, client certs, SA keys.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/exec";

export interface Pki {
  ca: string;
  caKey: string;
  registryCert: string;
  registryKey: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

async function openssl(args: string[], dir: string): Promise<void> {
  await run("openssl", args, { cwd: dir, timeoutMs: 60_000 });
}

async function signed(dir: string, name: string, subject: string, ext: string): Promise<void> {
  if (existsSync(join(dir, `${name}.pem`))) return;
  writeFileSync(join(dir, `${name}.ext`), ext);
  await openssl(
    [
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}-key.pem`,
      "-subj",
      subject,
      "-out",
      `${name}.csr`,
    ],
    dir,
  );
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca-key.pem",
      "-CAcreateserial",
      "-days",
      "825",
      "-sha256",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ],
    dir,
  );
}

/** Creates (once) every key and certificate in `dir`; existing files are kept so clients stay trusted across restarts. */
export async function ensurePki(dir: string): Promise<Pki> {
  if (!existsSync(join(dir, "ca.pem"))) {
    await openssl(
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-days",
        "3650",
        "-subj",
        "/CN=splai-release local CA/O=splai-release",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
      ],
      dir,
    );
  }
  const server = (sans: string): string =>
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans}\n`;
  await signed(dir, "registry", "/CN=127.0.0.1", server("IP:127.0.0.1,DNS:localhost"));
  await signed(
    dir,
    "apiserver",
    "/CN=kube-apiserver",
    server(
      "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local",
    ),
  );
  await signed(
    dir,
    "admin",
    "/CN=splai-admin/O=system:masters",
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
  );
  if (!existsSync(join(dir, "sa-key.pem"))) {
    await openssl(["genrsa", "-out", "sa-key.pem", "2048"], dir);
    await openssl(["rsa", "-in", "sa-key.pem", "-pubout", "-out", "sa.pem"], dir);
  }
  const f = (n: string): string => join(dir, n);
  return {
    ca: f("ca.pem"),
    caKey: f("ca-key.pem"),
    registryCert: f("registry.pem"),
    registryKey: f("registry-key.pem"),
    apiserverCert: f("apiserver.pem"),
    apiserverKey: f("apiserver-key.pem"),
    adminCert: f("admin.pem"),
    adminKey: f("admin-key.pem"),
    saKey: f("sa-key.pem"),
    saPub: f("sa.pem"),
  };
}
