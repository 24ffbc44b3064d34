/**
 * Key files on disk: a private key file holds one base64 X25519 private key (`key-text.ts`) and
 * must be readable by its owner only, as ssh insists for its keys: a key others can read is not
 * secret, so the server refuses to start with it and says how to fix it. This module does file
 * I/O (`node:fs`); the rest of `secure/` is pure.
 */
import { constants } from "node:fs";
import { open, readFile, rm, stat } from "node:fs/promises";
import type { Random } from "../io/random.js";
import { type AllowList, parseAllowList } from "./allow-list.js";
import { decodeKey, encodeKey } from "./key-text.js";
import { x25519 } from "./node-crypto.js";
import type { KeyPair } from "./suite.js";

/** Key files are tiny; anything bigger is not one (and is not read into memory). */
const MAX_KEY_FILE_BYTES = 1024;
/** Allow-lists are bounded too (about 10,000 keys). */
const MAX_ALLOW_LIST_BYTES = 1 << 20;

/** A key file could not be used; the message says why and what to do. */
export class KeyFileError extends Error {
  override readonly name = "KeyFileError";
}

/**
 * Generates a key pair and writes its private key to `path` with mode 0600. Refuses to replace
 * an existing file unless `overwrite`. Returns the key pair.
 */
export async function generateKeyFile(
  path: string,
  random: Random,
  options: { overwrite?: boolean } = {},
): Promise<KeyPair> {
  const pair = x25519.generateKeyPair(random);
  if (options.overwrite === true) await rm(path, { force: true });
  let file: Awaited<ReturnType<typeof open>>;
  try {
    // O_EXCL: never follow a planted symlink or reuse a file someone else can already read.
    file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw new KeyFileError(`${path} already exists (use --force to replace it)`);
    throw new KeyFileError(`cannot create ${path}: ${(e as Error).message}`);
  }
  try {
    await file.chmod(0o600); // in case the umask removed owner bits
    await file.writeFile(`${encodeKey(pair.privateKey)}\n`);
  } finally {
    await file.close();
  }
  return pair;
}

/**
 * Reads a private key file: checks that it is a regular file of at most 1 KiB, not accessible by
 * group or others (on POSIX systems) and owned by the current user (unless we are root), and that
 * it holds one base64 key of 32 bytes. Returns the key pair (public key derived).
 */
export async function readPrivateKeyFile(path: string): Promise<KeyPair> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "r");
  } catch (e) {
    throw new KeyFileError(`cannot read private key file ${path}: ${(e as Error).message}`);
  }
  let text: string;
  try {
    // Check the file we opened (fstat), not whatever the path names a moment later.
    const info = await file.stat();
    if (!info.isFile()) throw new KeyFileError(`private key file ${path} is not a regular file`);
    if (info.size > MAX_KEY_FILE_BYTES) {
      throw new KeyFileError(`${path} is ${info.size} bytes: not a key file`);
    }
    if (process.platform !== "win32") checkOwnerOnly(path, info.mode, info.uid);
    text = await file.readFile("utf8");
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`cannot read private key file ${path}: ${(e as Error).message}`);
  } finally {
    await file.close();
  }
  let raw: Uint8Array;
  try {
    raw = decodeKey(text, `private key file ${path}`);
  } catch (e) {
    throw new KeyFileError((e as Error).message);
  }
  return x25519.keyPairFromPrivate(raw);
}

function checkOwnerOnly(path: string, fileMode: number, fileUid: number): void {
  const mode = fileMode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyFileError(
      `private key file ${path} is accessible by group or others (mode ${mode.toString(8).padStart(4, "0")}); ` +
        `a key others can read is not secret. Run: chmod 600 ${path}`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && fileUid !== uid) {
    throw new KeyFileError(
      `private key file ${path} belongs to user ${fileUid}, not to us (${uid})`,
    );
  }
}

/** Reads a public key file (one base64 key; permissions do not matter). */
export async function readPublicKeyFile(path: string): Promise<Uint8Array> {
  const text = await readBounded(path, MAX_KEY_FILE_BYTES, "public key file");
  try {
    return decodeKey(text, `public key file ${path}`);
  } catch (e) {
    throw new KeyFileError((e as Error).message);
  }
}

/** Reads an allow-list file (`allow-list.ts` format). */
export async function readAllowListFile(path: string): Promise<AllowList> {
  const text = await readBounded(path, MAX_ALLOW_LIST_BYTES, "allow-list file");
  try {
    return parseAllowList(text, path);
  } catch (e) {
    throw new KeyFileError((e as Error).message);
  }
}

async function readBounded(path: string, maxBytes: number, what: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes)
      throw new KeyFileError(`${what} ${path} is ${info.size} bytes (limit ${maxBytes})`);
    return await readFile(path, "utf8");
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}
