/**
 * Generated codecs of real protocol files: conformance.x (every XDR type, as rpcgen codes it),
 * NFSv3 (libnfs `nfs.x`, versions 2 and 3 of the protocol), and the 12 files of the Stellar
 * ledger (`stellar-xdr`, the xdrpp dialect, thousands of lines of nested unions). An input is a
 * 16-bit big-endian codec index (modulo the number of codecs) followed by the bytes to decode.
 * Seeds: valid encodings of every type (from the compiler's model, `capture.ts`) and, for
 * conformance.x, the arguments and results recorded from the C peers.
 */
import * as conformance from "../../conformance/gen/conformance.js";
import { readCorpus } from "../engine/corpus.js";
import { type FuzzTarget, proportionalBudget } from "../engine/target.js";
import { checkDecode, codecsOf } from "./xdr-check.js";

/** A target over `codecs`: 2 bytes choose the codec, the rest is decoded. */
export function generatedTarget(
  name: string,
  summary: string,
  codecs: ReturnType<typeof codecsOf>,
): FuzzTarget {
  return {
    name,
    summary,
    maxLength: 8192,
    timeLimitMs: 250,
    budget: proportionalBudget(4, 64 * 1024),
    seeds: () => readCorpus(name),
    run(input) {
      if (input.length < 2) return;
      const codec = codecs[((input[0]! << 8) | input[1]!) % codecs.length]!;
      checkDecode(codec, input.subarray(2));
    },
  };
}

/** conformance.x. */
export function conformanceTarget(): FuzzTarget {
  return generatedTarget(
    "xdr-conformance",
    "generated codecs of conformance.x: only XdrError; decoded values re-encode stably",
    codecsOf(conformance),
  );
}

/** libnfs nfs.x (NFSv2 and NFSv3). */
export async function nfsTarget(): Promise<FuzzTarget> {
  const nfs = await import("../gen/nfs__nfs.js");
  return generatedTarget(
    "xdr-nfs3",
    "generated codecs of NFSv3 (libnfs nfs.x): only XdrError; decoded values re-encode stably",
    codecsOf(nfs),
  );
}

/** The Stellar ledger's 12 files (`stellar-xdr`), generated together into `gen/stellar/`. */
export const STELLAR_FILES = [
  "Stellar-SCP",
  "Stellar-contract-config-setting",
  "Stellar-contract-env-meta",
  "Stellar-contract-meta",
  "Stellar-contract-spec",
  "Stellar-contract",
  "Stellar-internal",
  "Stellar-ledger-entries",
  "Stellar-ledger",
  "Stellar-overlay",
  "Stellar-transaction",
  "Stellar-types",
] as const;

/** The Stellar ledger's 12 generated modules. */
export function stellarModules(): Promise<Record<string, unknown>[]> {
  return Promise.all(
    STELLAR_FILES.map((f) => import(`../gen/stellar/${f}.js`) as Promise<Record<string, unknown>>),
  );
}

/** The Stellar ledger's 12 files. */
export async function stellarTarget(): Promise<FuzzTarget> {
  const modules = await stellarModules();
  return generatedTarget(
    "xdr-stellar",
    "generated codecs of the 12 Stellar ledger files: only XdrError; decoded values re-encode stably",
    codecsOf(...modules),
  );
}
