/**
 * Throwaway X.509 material for RPC-with-TLS tests, made with the `openssl` command (Node cannot
 * issue certificates): a CA and a server certificate for localhost/127.0.0.1/::1 signed by it, a
 * second CA with its own server certificate (the wrong CA), a self-signed server certificate
 * (for pins), client certificates from each CA and a self-signed one. `null` when openssl is
 * missing (tests skip, saying so).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TlsMaterial {
  readonly ca: string;
  readonly server: { cert: string; key: string };
  readonly otherCa: string;
  readonly otherServer: { cert: string; key: string };
  readonly selfSigned: { cert: string; key: string };
  readonly client: { cert: string; key: string };
  readonly otherClient: { cert: string; key: string };
  readonly selfSignedClient: { cert: string; key: string };
}

let cached: TlsMaterial | null | undefined;

/** Why TLS tests skip, or undefined when openssl works. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "the openssl command is missing (Debian package openssl): cannot make test certificates";
  }
}

export function tlsMaterial(): TlsMaterial | null {
  if (cached !== undefined) return cached;
  if (opensslMissing() !== undefined) {
    cached = null;
    return cached;
  }
  const dir = mkdtempSync(join(tmpdir(), "lupine-tls-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) =>
    run(
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      `${name}.key`,
    );
  const ca = (name: string) => {
    key(name);
    run(
      "req",
      "-x509",
      "-new",
      "-key",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign",
    );
  };
  const leaf = (name: string, cn: string, issuer: string | null, ext: string) => {
    key(name);
    writeFileSync(join(dir, `${name}.ext`), ext);
    if (issuer === null) {
      run(
        "req",
        "-x509",
        "-new",
        "-key",
        `${name}.key`,
        "-out",
        `${name}.crt`,
        "-days",
        "2",
        "-subj",
        `/CN=${cn}`,
        "-extensions",
        "v3",
        "-config",
        `${name}.ext`,
      );
      return;
    }
    run("req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${issuer}.crt`,
      "-CAkey",
      `${issuer}.key`,
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-extensions",
      "v3",
    );
  };
  const serverExt =
    "[req]\ndistinguished_name=dn\n[dn]\n[v3]\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n";
  const clientExt = "[req]\ndistinguished_name=dn\n[dn]\n[v3]\nextendedKeyUsage=clientAuth\n";
  try {
    ca("ca");
    ca("other-ca");
    leaf("server", "localhost", "ca", serverExt);
    leaf("other-server", "localhost", "other-ca", serverExt);
    leaf("self", "localhost", null, serverExt);
    leaf("client", "client-1", "ca", clientExt);
    leaf("other-client", "client-2", "other-ca", clientExt);
    leaf("self-client", "client-3", null, clientExt);
    const read = (f: string) => readFileSync(join(dir, f), "utf8");
    const pair = (n: string) => ({ cert: read(`${n}.crt`), key: read(`${n}.key`) });
    cached = {
      ca: read("ca.crt"),
      server: pair("server"),
      otherCa: read("other-ca.crt"),
      otherServer: pair("other-server"),
      selfSigned: pair("self"),
      client: pair("client"),
      otherClient: pair("other-client"),
      selfSignedClient: pair("self-client"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cached;
}
