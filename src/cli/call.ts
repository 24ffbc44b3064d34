/**
 * `lupine call TARGET PROGRAM VERSION PROCEDURE [JSON-ARGS] --x FILE.x`: calls any procedure of
 * any `.x` file without generating code. The `.x` is compiled in-process; PROGRAM, VERSION and
 * PROCEDURE are names or numbers; several arguments are a JSON array; the result is printed as
 * JSON (hyper as decimal strings, opaque as hex, enums by name). Exit codes: 0 the call
 * succeeded, 1 it failed (the `RpcError` code and message are printed), 2 bad usage or `.x`.
 */
import { readFileSync } from "node:fs";
import { compile, formatDiagnostic } from "../compiler/index.js";
import type { Module, Program, TypeDecl, Version } from "../compiler/model.js";
import { createClient } from "../connect.js";
import { authSys } from "../oncrpc/auth.js";
import { isRpcError } from "../runtime/errors.js";
import { defineProgram } from "../runtime/program.js";
import { codecBuilder, fromJson, toJson } from "./dynamic-xdr.js";

export const summary = "call a procedure of any .x file (JSON in, JSON out)";

const usage = `usage: lupine call TARGET PROGRAM VERSION PROCEDURE [JSON-ARGS] --x FILE.x [options]

  TARGET      udp://host:port, tcp://host:port, rpcbind://host[/udp|tcp], lupine://host:port, ...
  PROGRAM     program name or number (decimal or 0x hex) from FILE.x
  VERSION     version name or number
  PROCEDURE   procedure name or number
  JSON-ARGS   the argument as JSON; several arguments as a JSON array; none for void

  --x FILE.x          the protocol file (required)
  -I DIR, -D NAME[=V] include folders and macros for FILE.x
  --timeout MS        total time for the call (default 25000)
  --auth-sys UID:GID  send an AUTH_SYS credential with this uid and gid

Result: JSON on stdout (hyper as decimal strings, opaque as hex, enums by name).
Exit: 0 ok, 1 the call failed ([code] message on stderr), 2 bad usage or .x errors.`;

function pick<T extends { name: string; number: number }>(
  list: readonly T[],
  key: string,
): T | undefined {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(key) ? Number(key) : Number.NaN;
  return list.find(
    (x) => x.name === key || x.number === n || x.name.toLowerCase() === key.toLowerCase(),
  );
}

export async function main(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let xFile: string | undefined;
  let timeoutMs = 25_000;
  let uidGid: string | undefined;
  const includeDirs: string[] = [];
  const defines = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    if (a === "--help" || a === "-h") {
      console.log(usage);
      return 0;
    }
    if (a === "--x") xFile = next();
    else if (a === "--timeout") timeoutMs = Number(next());
    else if (a === "--auth-sys") uidGid = next();
    else if (a === "-I") includeDirs.push(next() ?? "");
    else if (a === "-D") {
      const [k = "", v = "1"] = (next() ?? "").split("=");
      defines.set(k, v);
    } else positional.push(a);
  }
  const [target, progKey, versKey, procKey, json] = positional;
  if (xFile === undefined || procKey === undefined || positional.length > 5) {
    console.error(usage);
    return 2;
  }
  const result = compile({
    host: { readFile: tryRead },
    files: [xFile],
    includeDirs,
    defines,
  });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    for (const d of errors) console.error(formatDiagnostic(d));
    return 2;
  }
  const types = new Map<string, TypeDecl>();
  for (const m of result.modules as Module[]) for (const [k, v] of m.types) types.set(k, v);
  const lookup = (name: string) => types.get(name);
  const programs = result.modules.flatMap((m) =>
    m.items.filter((i): i is Program => i.kind === "program"),
  );
  const program = pick(programs, progKey!);
  if (program === undefined) {
    console.error(
      `lupine call: no program ${progKey} in ${xFile} (has ${programs.map((p) => p.name).join(", ") || "none"})`,
    );
    return 2;
  }
  const version: Version | undefined = pick(program.versions, versKey!);
  if (version === undefined) {
    console.error(
      `lupine call: ${program.name} has no version ${versKey} (has ${program.versions.map((v) => `${v.name}=${v.number}`).join(", ")})`,
    );
    return 2;
  }
  const proc = pick(version.procedures, procKey);
  if (proc === undefined) {
    console.error(
      `lupine call: ${version.name} has no procedure ${procKey} (has ${version.procedures.map((p) => p.name).join(", ")})`,
    );
    return 2;
  }
  let args: unknown[];
  try {
    const input: unknown = json === undefined ? [] : JSON.parse(json);
    const raw = proc.args.length === 1 ? [input] : proc.args.length === 0 ? [] : input;
    if (!Array.isArray(raw) || raw.length !== proc.args.length) {
      throw new TypeError(
        `${proc.name} takes ${proc.args.length} arguments: give them as a JSON array`,
      );
    }
    args = proc.args.map((t, i) => fromJson(t, raw[i], lookup, `argument ${i + 1}`));
  } catch (e) {
    console.error(`lupine call: bad arguments: ${(e as Error).message}`);
    return 2;
  }
  const codec = codecBuilder(lookup);
  const descriptor = defineProgram({
    name: program.name,
    program: program.number,
    version: version.number,
    procedures: {
      call: {
        procedure: proc.number,
        name: proc.name,
        args: proc.args.map(codec),
        result: codec(proc.result),
      },
    },
  });
  let credential: ReturnType<typeof authSys> | undefined;
  if (uidGid !== undefined) {
    const [uid = 0, gid = 0] = uidGid.split(":").map(Number);
    credential = authSys({ stamp: 0, machinename: "lupine", uid, gid, gids: [] });
  }
  const client = createClient(descriptor, target!, {
    timeoutMs,
    ...(credential === undefined ? {} : { credential }),
  });
  try {
    const value = await (client.call as (...a: unknown[]) => Promise<unknown>)(...args);
    console.log(JSON.stringify(toJson(proc.result, value, lookup), null, 2));
    return 0;
  } catch (e) {
    console.error(`lupine call: ${isRpcError(e) ? e.message : String(e)}`);
    return 1;
  } finally {
    await client.$close();
  }
}

function tryRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
