/**
 * Target strings: `scheme://host[:port][/path][?query]`, e.g. `udp://127.0.0.1:2049`,
 * `tcp://[::1]:111`, `rpcbind://nfs.example/tcp`, `lupine://10.0.0.7:7000`. Several targets may
 * be given as an array or as one comma-separated string.
 */

/** A parsed target. */
export interface ParsedTarget {
  /** As given. */
  readonly text: string;
  /** Lower case, without `://`. */
  readonly scheme: string;
  /** Host name or address literal, without IPv6 brackets. */
  readonly host: string;
  /** The port, when given. */
  readonly port: number | undefined;
  /** The path without its leading `/` (`tcp` in `rpcbind://h/tcp`); "" when absent. */
  readonly path: string;
  /** The query parameters. */
  readonly params: URLSearchParams;
}

const TARGET =
  /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/:?[\]]*)(?::(\d{1,5}))?(?:\/([^?]*))?(?:\?(.*))?$/i;

/** Parses one target; throws `TypeError` with the reason when it is not one. */
export function parseTarget(text: string): ParsedTarget {
  const m = TARGET.exec(text.trim());
  if (m === null) {
    throw new TypeError(
      `bad target '${text}': expected scheme://host[:port][/path], e.g. udp://127.0.0.1:2049`,
    );
  }
  const [, scheme = "", rawHost = "", port, path = "", query = ""] = m;
  const host = rawHost.startsWith("[") ? rawHost.slice(1, -1) : rawHost;
  if (host === "") throw new TypeError(`bad target '${text}': no host`);
  const n = port === undefined ? undefined : Number(port);
  if (n !== undefined && n > 65535) throw new TypeError(`bad target '${text}': port ${n} > 65535`);
  return {
    text,
    scheme: scheme.toLowerCase(),
    host,
    port: n,
    path,
    params: new URLSearchParams(query),
  };
}

/** Splits a comma-separated list (or takes an array) into single targets. */
export function splitTargets(targets: string | readonly string[]): string[] {
  const list = typeof targets === "string" ? targets.split(",") : [...targets];
  const out = list.map((t) => t.trim()).filter((t) => t !== "");
  if (out.length === 0) throw new TypeError("no target given");
  return out;
}

/** `host:port` with IPv6 brackets, for messages. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
