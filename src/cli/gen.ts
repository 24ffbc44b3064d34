/**
 * `lupine gen FILE.x... [-o DIR] [-D NAME[=VALUE]] [-I DIR] [--extern FILE.x] [--strict]
 * [--runtime SPEC]`: compiles `.x` files to TypeScript modules. All diagnostics are printed
 * (`file:line:col: error: message`, `…: warning: …`); nothing is written when there is any
 * error; the exit code is 0 on success (warnings or not), 1 on errors, 2 on bad usage.
 * The only module of the compiler that touches `node:fs`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import {
  type CompilerHost,
  compile,
  defaultOutputPath,
  formatDiagnostic,
  type Output,
  parseDefine,
} from "../compiler/index.js";

/** One line for `lupine --help`. */
export const summary = "compile rpcgen .x protocol files to TypeScript (types, codecs, stubs)";

const USAGE = `usage: lupine gen FILE.x... [options]

Compiles ONC RPC / XDR protocol files (the language of rpcgen, RFC 4506 and RFC 5531) to
TypeScript modules: constants, types, XDR codecs, program descriptors, client and handler types.

options:
  -o, --out DIR        write the modules to DIR (default: beside each .x file)
  -D NAME[=VALUE]      define a preprocessor macro (VALUE defaults to 1)
  -I DIR               search DIR for #include files
  --extern FILE.x      declarations of types and constants the inputs use but do not
                       define (as a C header would); each module gets the ones it needs
  --strict             names defined outside the compiled files and types with no finite
                       value are errors (rpcgen accepts them; by default they are warnings)
  --runtime SPEC       module the output imports the runtime from (default: lupine)
  -h, --help           show this help
  --version            show the version

Files given together may use each other's types (the output imports them). As with
rpcgen, a name no file defines is taken to be defined outside: a warning says what is
missing and how to supply it (-D for a constant; --extern, or xdr_T.bind(codec) at run
time, for a type), and the output still compiles.
Nothing is written if there is any error. Exit code: 0 ok (warnings or not), 1 errors,
2 bad usage.`;

interface Args {
  files: string[];
  out: string | null;
  defines: Map<string, string>;
  includes: string[];
  externs: string[];
  strict: boolean;
  runtime: string;
}

function parseArgs(argv: readonly string[]): Args | string {
  const a: Args = {
    files: [],
    out: null,
    defines: new Map(),
    includes: [],
    externs: [],
    strict: false,
    runtime: "lupine",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string | undefined => {
      if (arg.length > flag.length && arg.startsWith(flag))
        return arg.slice(flag.length).replace(/^=/, "");
      return argv[++i];
    };
    if (arg === "-o" || arg === "--out" || arg.startsWith("--out=")) {
      const v = value(arg.startsWith("--out") ? "--out" : "-o");
      if (v === undefined) return `${arg} needs a folder`;
      a.out = v;
    } else if (arg.startsWith("-D")) {
      const v = value("-D");
      const d = v === undefined ? undefined : parseDefine(v);
      if (d === undefined) return `-D needs NAME or NAME=VALUE, got ${v ?? "nothing"}`;
      a.defines.set(d[0], d[1]);
    } else if (arg.startsWith("-I")) {
      const v = value("-I");
      if (v === undefined) return "-I needs a folder";
      a.includes.push(v);
    } else if (arg === "--extern" || arg.startsWith("--extern=")) {
      const v = value("--extern");
      if (v === undefined || v === "") return "--extern needs a .x file";
      a.externs.push(v);
    } else if (arg === "--strict") {
      a.strict = true;
    } else if (arg === "--runtime" || arg.startsWith("--runtime=")) {
      const v = value("--runtime");
      if (v === undefined || v === "") return "--runtime needs a module specifier";
      a.runtime = v;
    } else if (arg.startsWith("-") && arg !== "-") {
      return `unknown option ${arg}`;
    } else a.files.push(arg);
  }
  if (a.files.length === 0) return "no input files";
  return a;
}

/** Runs `lupine gen`; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  if (argv.includes("--version")) {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    console.log(String(pkg.version));
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === "string") {
    console.error(`lupine gen: ${args}\n\n${USAGE}`);
    return 2;
  }
  const out = args.out;
  const result = compile({
    host: fileHost,
    files: args.files,
    includeDirs: args.includes,
    defines: args.defines,
    externs: args.externs,
    strict: args.strict,
    runtime: args.runtime,
    outputPath:
      out === null ? defaultOutputPath : (f) => join(out, `${basename(f).replace(/\.x$/, "")}.ts`),
  });
  for (const d of result.diagnostics) console.error(formatDiagnostic(d));
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.length - errors;
  const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (errors > 0) {
    console.error(`lupine gen: ${counted(errors, "error")}; nothing written`);
    return 1;
  }
  if (warnings > 0) console.error(`lupine gen: ${counted(warnings, "warning")}`);
  return writeOutputs(result.outputs, out);
}

/** Reads `.x` files for the compiler; a file that cannot be read is `undefined` (reported). */
const fileHost: CompilerHost = {
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** Writes the modules (creating `out`), naming each; returns the exit code. */
function writeOutputs(outputs: readonly Output[], out: string | null): number {
  try {
    if (out !== null) mkdirSync(out, { recursive: true });
    for (const o of outputs) {
      writeFileSync(o.path, o.text);
      console.error(`wrote ${resolve(o.path)}`);
    }
  } catch (e) {
    console.error(`lupine gen: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  return 0;
}
