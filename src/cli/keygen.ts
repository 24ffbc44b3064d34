/**
 * `lupine keygen`: makes and inspects the X25519 keys of the secure transport.
 *
 * ```
 * lupine keygen --out FILE [--force]   new key pair: private key to FILE (mode 0600), public key printed
 * lupine keygen --public FILE          print the public key of a private key file
 * ```
 *
 * Keys are base64 (44 characters), the same text form as WireGuard's `wg genkey` / `wg pubkey`.
 */
import { nodeRandom } from "../io/node/random.js";
import { generateKeyFile, KeyFileError, readPrivateKeyFile } from "../secure/key-file.js";
import { encodeKey } from "../secure/key-text.js";

export const summary =
  "generate a key pair for the secure transport, or print a key file's public key";

const USAGE = `usage: lupine keygen --out FILE [--force]   write a new private key to FILE (mode 0600), print its public key
       lupine keygen --public FILE          print the public key of a private key file`;

export async function main(argv: string[]): Promise<number> {
  let out: string | undefined;
  let publicOf: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return 0;
    }
    if (arg === "--force") force = true;
    else if (arg === "--out" || arg === "-o") out = argv[++i];
    else if (arg === "--public") publicOf = argv[++i];
    else {
      console.error(`lupine keygen: unknown argument '${arg}'\n${USAGE}`);
      return 2;
    }
  }
  if ((out === undefined) === (publicOf === undefined)) {
    console.error(`lupine keygen: give exactly one of --out FILE or --public FILE\n${USAGE}`);
    return 2;
  }
  try {
    if (out !== undefined) {
      const pair = await generateKeyFile(out, nodeRandom, { overwrite: force });
      console.log(encodeKey(pair.publicKey));
      console.error(
        `lupine keygen: private key written to ${out} (mode 0600); the line above is its public key`,
      );
    } else if (publicOf !== undefined) {
      console.log(encodeKey((await readPrivateKeyFile(publicOf)).publicKey));
    }
    return 0;
  } catch (e) {
    if (e instanceof KeyFileError) {
      console.error(`lupine keygen: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
