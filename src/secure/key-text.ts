/**
 * The text form of keys: standard base64 of the 32 raw bytes (44 characters), as WireGuard's
 * `wg genkey` / `wg pubkey` print them, so keys can be compared with `wg` tooling by eye.
 */

const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/** Base64 of a 32-byte key. */
export function encodeKey(key: Uint8Array): string {
  if (key.length !== 32) throw new RangeError(`a key is 32 bytes, got ${key.length}`);
  let binary = "";
  for (const b of key) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The 32 bytes of a base64 key. Throws an `Error` naming `what` (e.g. "server public key") and
 * saying what was wrong, for a value that is not exactly 44 base64 characters encoding 32 bytes.
 */
export function decodeKey(text: string, what = "key"): Uint8Array {
  const trimmed = text.trim();
  if (!BASE64_KEY.test(trimmed)) {
    throw new Error(
      `${what}: expected 44 base64 characters (32 bytes, as printed by 'lupine keygen'), got ${
        trimmed.length === 0 ? "nothing" : `${trimmed.length} characters`
      }`,
    );
  }
  const binary = atob(trimmed);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = binary.charCodeAt(i);
  if (encodeKey(out) !== trimmed) throw new Error(`${what}: not canonical base64`);
  return out;
}
