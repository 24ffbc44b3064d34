/**
 * Program descriptors (RFC 5531 §12): for each version of each program, a `defineProgram(...)`
 * constant the runtime serves and calls, plus `ClientOf`/`HandlersOf` type aliases. Descriptor
 * name: PascalCase(program) + `V` + version number; methods: camelCase(procedure).
 */
import { describe } from "./describe.js";
import type { EmitContext } from "./emit-context.js";
import { docLine } from "./emit-types.js";
import type { Program, XType } from "./model.js";
import { methodNames, pascalCase, quote, tsName } from "./names.js";

/** The codec expression for a procedure argument or result type. */
function procCodec(ctx: EmitContext, t: XType): string {
  switch (t.kind) {
    case "ref":
      return ctx.codecRef(t.name);
    case "int":
    case "uint":
    case "hyper":
    case "uhyper":
    case "float":
    case "double":
    case "quadruple":
    case "bool":
    case "void":
      return `${ctx.xdr}.${t.kind}`;
    case "string":
      return `${ctx.xdr}.unboundedString`;
    default:
      return `${ctx.xdr}.void`;
  }
}

function typeText(t: XType): string {
  return t.kind === "string" ? "string" : describe(t);
}

/** The descriptor constant's name for one version. */
export function descriptorName(program: string, version: number): string {
  return `${pascalCase(program)}V${version}`;
}

/** Emits the descriptors of one program (constants were emitted with the other constants). */
export function emitProgram(
  ctx: EmitContext,
  prog: Program,
  descriptorNames: ReadonlyMap<string, string>,
  /** Constant names emitted with their values, to refer to program and version numbers by name. */
  numbers: ReadonlyMap<string, bigint>,
): void {
  const byName = (name: string, value: number, fallback: string) =>
    numbers.get(name) === BigInt(value) ? tsName(name) : fallback;
  const p = ctx.printer;
  for (const v of prog.versions) {
    const desc = descriptorNames.get(`${prog.name}/${v.number}`)!;
    p.line("");
    docLine(
      ctx,
      prog.shorthand
        ? `interface ${prog.name}, version ${v.number}`
        : `program ${prog.name}, version ${v.name}`,
      v.pos,
    );
    p.use(ctx.runtime, "defineProgram");
    p.line(`export const ${desc} = defineProgram({`);
    p.indent(() => {
      p.line(
        `name: ${quote(prog.name)},`,
        `program: ${byName(prog.name, prog.number, hex(prog.number))},`,
        `version: ${byName(v.name, v.number, String(v.number))},`,
      );
      p.block("procedures: {", () => {
        const methods = methodNames(v.procedures.map((x) => x.name));
        v.procedures.forEach((proc, i) => {
          const args = proc.args.map((a, j) => {
            const n = proc.argNames[j];
            return `${typeText(a)}${n ? ` ${n}` : ""}`;
          });
          p.line(
            `/** ${typeText(proc.result)} ${proc.name}(${args.join(", ") || "void"}) = ${proc.number} */`,
          );
          const argCodecs = proc.args.map((a) => procCodec(ctx, a)).join(", ");
          p.line(
            `${methods[i]}: { procedure: ${proc.number}, name: ${quote(proc.name)}, args: [${argCodecs}], result: ${procCodec(ctx, proc.result)} },`,
          );
        });
      });
    });
    p.line("});");
    p.use(ctx.runtime, "ClientOf", { type: true });
    p.use(ctx.runtime, "HandlersOf", { type: true });
    p.line(`export type ${desc}Client = ClientOf<typeof ${desc}>;`);
    p.line(`export type ${desc}Handlers = HandlersOf<typeof ${desc}>;`);
  }
}

function hex(n: number): string {
  return n >= 0x10000 ? `0x${n.toString(16)}` : String(n);
}
