/**
 * Client allow-lists: which client public keys a server accepts (issue 8: "servers may require
 * client keys from an allow-list"). Text format, one key per line as `lupine keygen` prints it,
 * optionally followed by a name; `#` starts a comment:
 *
 * ```
 * # build machines
 * 4dG0o5W0vM4ZxkU1w1T7k0m9+0Vq8r5cQnq1fJb0kHc= ci-runner-1
 * ```
 */
import { decodeKey, encodeKey } from "./key-text.js";

/** A set of client public keys, with the names given to them. */
export interface AllowList {
  /** Whether `publicKey` (raw bytes) is on the list; pass as the responder's `authorize`. */
  has(publicKey: Uint8Array): boolean;
  /** The name given to a key on the list (or its base64 if none), `undefined` if not listed. */
  nameOf(publicKey: Uint8Array): string | undefined;
  readonly size: number;
}

/** An allow-list of the given keys (raw bytes or base64), with optional names. */
export function createAllowList(
  entries: Iterable<Uint8Array | string | { key: Uint8Array | string; name?: string }>,
): AllowList {
  const names = new Map<string, string>();
  for (const entry of entries) {
    const { key, name } =
      typeof entry === "string" || entry instanceof Uint8Array
        ? { key: entry, name: undefined }
        : entry;
    const id =
      typeof key === "string" ? encodeKey(decodeKey(key, "allow-list key")) : encodeKey(key);
    names.set(id, name ?? id);
  }
  return {
    has: (publicKey) => publicKey.length === 32 && names.has(encodeKey(publicKey)),
    nameOf: (publicKey) => (publicKey.length === 32 ? names.get(encodeKey(publicKey)) : undefined),
    get size() {
      return names.size;
    },
  };
}

/**
 * Parses the allow-list text format. Throws an `Error` naming `source` and the line for a bad key,
 * so a typo in the file stops the server at start instead of silently locking a client out.
 */
export function parseAllowList(text: string, source = "allow-list"): AllowList {
  const entries: { key: Uint8Array; name?: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const [key = "", ...rest] = line.split(/\s+/);
    let decoded: Uint8Array;
    try {
      decoded = decodeKey(key, "key");
    } catch (e) {
      throw new Error(`${source}:${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const name = rest.join(" ");
    entries.push(name === "" ? { key: decoded } : { key: decoded, name });
  });
  return createAllowList(entries);
}
