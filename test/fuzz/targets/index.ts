/**
 * Every fuzz target by name. Targets load lazily, so a fuzzing thread imports (and measures the
 * coverage of) only the code its own target reaches.
 */
import type { FuzzTarget } from "../engine/target.js";

/** Target names and how to make each. */
export const TARGETS: Readonly<Record<string, () => Promise<FuzzTarget>>> = {
  "xdr-combinators": async () => (await import("./xdr-combinators.js")).combinatorsTarget(),
  "xdr-writer": async () => (await import("./xdr-combinators.js")).writerTarget(),
  "xdr-conformance": async () => (await import("./xdr-generated.js")).conformanceTarget(),
  "xdr-nfs3": async () => (await import("./xdr-generated.js")).nfsTarget(),
  "xdr-stellar": async () => (await import("./xdr-generated.js")).stellarTarget(),
  "onc-call": async () => (await import("./oncrpc.js")).callTarget(),
  "onc-reply": async () => (await import("./oncrpc.js")).replyTarget(),
  "auth-sys": async () => (await import("./oncrpc.js")).authSysTarget(),
  "record-marking": async () => (await import("./record-marking.js")).recordMarkingTarget(),
  "onc-udp-server": async () => (await import("./onc-udp-server.js")).udpServerTarget(),
  compiler: async () => (await import("./compiler.js")).compilerTarget(),
  "secure-responder": async () => (await import("./secure.js")).responderTarget(),
  "secure-initiator": async () => (await import("./secure.js")).initiatorTarget(),
  "secure-keys": async () => (await import("./secure.js")).keysTarget(),
  "reliable-server": async () => (await import("./reliable.js")).serverTarget(),
  "reliable-client": async () => (await import("./reliable.js")).clientTarget(),
};

/**
 * The target called `name`; throws an `Error` listing the names for an unknown one. A name of
 * the form `file:///…/module.js#exportName` loads a target from any module (the engine's own
 * tests use targets that misbehave on purpose).
 */
export async function loadTarget(name: string): Promise<FuzzTarget> {
  if (name.startsWith("file:")) {
    const [url, exportName = "target"] = name.split("#");
    const module = (await import(url!)) as Record<string, () => FuzzTarget>;
    return module[exportName]!();
  }
  const make = TARGETS[name];
  if (make === undefined) {
    throw new Error(`unknown fuzz target ${name}; targets: ${Object.keys(TARGETS).join(", ")}`);
  }
  return make();
}
