/**
 * Straight-line encode/decode statements for one XDR type (RFC 4506 §4), written against the
 * `XdrWriter`/`XdrReader` methods: no per-field closures, no schema interpretation at run time.
 * Arrays check their length against the bound and the bytes left before allocating; typedefs of
 * primitive, string and opaque types are inlined; structs, unions, enums and other typedefs are
 * called through their codecs (`xdr_T.encode($w, v)`).
 *
 * Locals: `$w` writer, `$v` value, `$r` reader, `$f` field index and `$i` element index (for
 * error paths), `$a1`/`$n1`/`$o1` arrays, counts and optionals, `f_<field>` decoded fields.
 * No `.x` identifier contains `$`, and field locals are only ever read, so nothing collides.
 */
import type { EmitContext } from "./emit-context.js";
import type { XType } from "./model.js";
import type { Printer } from "./printer.js";

const UNBOUNDED = "0xffffffff";

const WRITE: Partial<Record<XType["kind"], string>> = {
  int: "writeInt",
  uint: "writeUint",
  hyper: "writeHyper",
  uhyper: "writeUhyper",
  float: "writeFloat",
  double: "writeDouble",
  quadruple: "writeQuadruple",
  bool: "writeBool",
};

const READ: Partial<Record<XType["kind"], string>> = {
  int: "readInt",
  uint: "readUint",
  hyper: "readHyper",
  uhyper: "readUhyper",
  float: "readFloat",
  double: "readDouble",
  quadruple: "readQuadruple",
  bool: "readBool",
};

/** `obj.name`, or `obj["__proto__"]` where a dot would reach the prototype. */
export function member(obj: string, name: string): string {
  return name === "__proto__" ? `${obj}["__proto__"]` : `${obj}.${name}`;
}

/** Writes the statements of one codec body; tracks whether an element index is needed. */
export class BodyWriter {
  private counter = 0;
  /** Some statement set `$i` (the catch must report it). */
  usesIndex = false;

  constructor(
    private readonly ctx: EmitContext,
    private readonly p: Printer,
  ) {}

  /** What a type is for inlining: typedefs of primitives, strings and opaques are inlined. */
  private inlined(t: XType): XType {
    if (t.kind !== "ref") return t;
    const r = this.ctx.resolve(t);
    return r.kind === "ref" || r.kind === "array" || r.kind === "optional" ? t : r;
  }

  /** Statements that write `expr` (of type `t`). */
  encode(type: XType, expr: string): void {
    const t = this.inlined(type);
    const p = this.p;
    const w = WRITE[t.kind];
    if (w !== undefined) {
      p.line(`$w.${w}(${expr});`);
      return;
    }
    switch (t.kind) {
      case "void":
        return;
      case "string":
        p.line(`$w.writeString(${expr}${t.max === null ? "" : `, ${t.max}`});`);
        return;
      case "opaque":
        if (t.fixed) p.line(`$w.writeFixedOpaque(${expr}, ${t.size});`);
        else p.line(`$w.writeVarOpaque(${expr}${t.size === null ? "" : `, ${t.size}`});`);
        return;
      case "array": {
        const k = ++this.counter;
        this.usesIndex = true;
        const el = this.ctx.tsType(t.element);
        p.line(`const $a${k} = ${expr};`);
        p.line(`$w.writeArrayLength($a${k}, ${t.size ?? UNBOUNDED}, ${t.fixed});`);
        p.block(`for ($i = 0; $i < $a${k}.length; $i++) {`, () => {
          this.encode(t.element, `$a${k}[$i] as ${el}`);
        });
        p.line("$i = -1;");
        return;
      }
      case "optional": {
        const k = ++this.counter;
        p.line(`const $o${k} = ${expr};`);
        p.line(`if ($o${k} === null || $o${k} === undefined) $w.writeUint(0);`);
        p.block("else {", () => {
          p.line("$w.writeUint(1);");
          this.encode(t.element, `$o${k}`);
        });
        return;
      }
      case "ref":
        p.line(`${this.ctx.codecRef(t.name)}.encode($w, ${expr});`);
        return;
    }
  }

  /** An expression that reads a value of type `t` (statements it needs are written first). */
  decode(type: XType): string {
    const t = this.inlined(type);
    const r = READ[t.kind];
    if (r !== undefined) return `$r.${r}()`;
    switch (t.kind) {
      case "void":
        return "undefined";
      case "string":
        return `$r.readString(${t.max ?? ""})`;
      case "opaque":
        return t.fixed ? `$r.readFixedOpaque(${t.size})` : `$r.readVarOpaque(${t.size ?? ""})`;
      case "array": {
        const k = ++this.counter;
        this.usesIndex = true;
        const min = Math.max(1, this.ctx.minSize(t.element));
        const el = this.ctx.tsType(t.element);
        if (t.fixed) {
          this.p.line(`$r.checkFixedArray(${t.size}, ${min});`);
          this.p.line(`const $n${k} = ${t.size};`);
        } else {
          this.p.line(`const $n${k} = $r.readLength(${t.size ?? UNBOUNDED}, ${min});`);
        }
        this.p.line(`const $a${k} = new Array<${el}>($n${k});`);
        // Elements are never arrays or optionals themselves (RFC 4506 §6.3), so this is one expression.
        this.p.line(`for ($i = 0; $i < $n${k}; $i++) $a${k}[$i] = ${this.decode(t.element)};`);
        this.p.line("$i = -1;");
        return `$a${k}`;
      }
      case "optional": {
        const inner = this.decode(t.element);
        return `$r.readBool() ? ${inner} : null`;
      }
      case "ref":
        return `${this.ctx.codecRef(t.name)}.decode($r)`;
    }
    return "undefined";
  }
}
