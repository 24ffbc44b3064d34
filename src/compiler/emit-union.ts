/**
 * Discriminated unions (RFC 4506 §4.15) as TypeScript discriminated unions: one object type per
 * arm, keyed by the declared discriminant name and arm field name —
 * `{ status: 0; value: number } | { status: 2 } | { status: number; other: bigint }`.
 * Several case labels share one arm type (`status: 3 | 4`); the default arm's discriminant is
 * `number` for int, the enum minus the listed cases (`Exclude<>`) for an enum; bool
 * discriminants use `true` / `false`. Void arms carry only the discriminant. An arm whose case
 * values are defined outside the compiled files is typed with the whole discriminant type and
 * never coded: a value no known case lists fails (it might be one of those), and a union with no
 * known case gets a codec that always fails.
 */
import { BodyWriter, member } from "./emit-body.js";
import type { EmitContext } from "./emit-context.js";
import { docLine, emitFailingCodec } from "./emit-types.js";
import type { Field, UnionType } from "./model.js";
import { codecName, propertyKey, quote, tsName } from "./names.js";

interface ArmPlan {
  /**
   * Case labels (`case 3: case 4:`), or `null` for the default arm; empty for an arm whose case
   * values are all defined outside the compiled files (typed, but never coded).
   */
  readonly labels: readonly string[] | null;
  /** The discriminant's TypeScript type in this arm. */
  readonly discType: string;
  readonly field: Field | null;
  /** The arm's only discriminant value as a literal (the decoder writes it, not `$d`), or `null`. */
  readonly single: string | null;
  /** Index of this arm's field in the error-path name list. */
  readonly index: number;
}

function literal(v: number | boolean): string {
  return String(v);
}

/** Arms as they will be typed and coded; the default arm is left out when no value reaches it. */
function plan(ctx: EmitContext, u: UnionType): ArmPlan[] {
  const arms: ArmPlan[] = [];
  const listed: (number | boolean)[] = [];
  let index = 1;
  for (const a of u.arms) {
    if (a.values.length === 0 && a.outside.length === 0) continue;
    listed.push(...a.values);
    arms.push({
      labels: a.values.map((v) => `case ${literal(v)}:`),
      discType: a.outside.length > 0 ? discriminantType(ctx, u) : a.values.map(literal).join(" | "),
      field: a.field,
      single: a.values.length === 1 && a.outside.length === 0 ? literal(a.values[0]!) : null,
      index: a.field === null ? 0 : index++,
    });
  }
  if (u.defaultArm !== null) {
    let discType: string | null;
    if (u.discriminantKind === "bool") {
      const rest = [true, false].filter((b) => !listed.includes(b));
      discType = rest.length === 0 ? null : rest.map(literal).join(" | ");
    } else if (u.discriminantKind === "enum") {
      const e = ctx.lookup(u.enumName!);
      const members = e?.kind === "enum" ? e.members.map((m) => m.value) : [];
      const left = members.filter((m) => !listed.includes(m));
      const enumType = ctx.typeRef(u.enumName!);
      discType =
        left.length === 0
          ? null
          : listed.length === 0
            ? enumType
            : `Exclude<${enumType}, ${[...new Set(listed)].map(literal).join(" | ")}>`;
    } else discType = "number";
    if (discType !== null) {
      arms.push({
        labels: null,
        discType,
        field: u.defaultArm.field,
        single: null,
        index: u.defaultArm.field === null ? 0 : index++,
      });
    }
  }
  return arms;
}

/** The TypeScript type of any value of the discriminant. */
function discriminantType(ctx: EmitContext, u: UnionType): string {
  if (u.discriminantKind === "bool") return "boolean";
  return u.discriminantKind === "enum" ? ctx.typeRef(u.enumName!) : "number";
}

/**
 * The error for a discriminant no known case lists when some case values are defined outside
 * the compiled files: the value may be one of them, so no arm can be chosen.
 */
function outsideError(ctx: EmitContext, u: UnionType, value: string, offset: string): string {
  const labels = u.arms.flatMap((a) => a.outside);
  const text = ` of union ${u.name}: case ${labels.join(", ")} ${labels.length === 1 ? "is" : "are"} defined outside ${ctx.fileName}`;
  return `new ${ctx.xdr}.XdrError(${quote(`cannot choose the arm for ${u.discriminant.name} = `)} + String(${value}) + ${quote(text)}, ${offset})`;
}

/** What the encoder and decoder of one union share. */
interface UnionShape {
  readonly u: UnionType;
  readonly name: string;
  /** The arms in the switch: those with known case values, and the default one if it is used. */
  readonly coded: readonly ArmPlan[];
  /** The error-path segment expression: the discriminant or the arm field being coded. */
  readonly segment: string;
  /** Whether some arm has a field (`$f` is kept then). */
  readonly fields: boolean;
  /** The error for a discriminant value no coded arm takes. */
  readonly noArm: (value: string, offset: string) => string;
}

/** Emits the union's type and codec. */
export function emitUnion(ctx: EmitContext, u: UnionType): void {
  const p = ctx.printer;
  const name = tsName(u.name);
  const disc = u.discriminant.name;
  const arms = plan(ctx, u);
  docLine(ctx, `union ${u.name}`, u.pos);
  p.line(`export type ${name} =`);
  p.indent(() => {
    arms.forEach((a, i) => {
      const props = [`${propertyKey(disc)}: ${a.discType}`];
      if (a.field !== null) props.push(`${propertyKey(a.field.name)}: ${ctx.tsType(a.field.type)}`);
      p.line(`| { ${props.join("; ")} }${i === arms.length - 1 ? ";" : ""}`);
    });
  });
  const outside = u.arms.flatMap((a) => a.outside);
  const coded = arms.filter((a) =>
    a.labels === null ? outside.length === 0 : a.labels.length > 0,
  );
  const failure =
    ctx.failure(u) ??
    (coded.length === 0
      ? `cannot choose an arm of union ${u.name}: case ${outside.join(", ")} ${outside.length === 1 ? "is" : "are"} defined outside ${ctx.fileName}`
      : null);
  if (failure !== null) {
    emitFailingCodec(ctx, u.name, name, failure);
    return;
  }
  const names = [disc, ...arms.filter((a) => a.field !== null).map((a) => a.field!.name)];
  const shape: UnionShape = {
    u,
    name,
    coded,
    segment: names.length === 1 ? quote(disc) : `[${names.map(quote).join(", ")}][$f]`,
    fields: names.length > 1,
    noArm: (value, offset) =>
      outside.length > 0
        ? outsideError(ctx, u, value, offset)
        : `new ${ctx.xdr}.XdrError(\`no arm of union ${u.name} for ${disc} = \${String(${value})}\`, ${offset})`,
  };
  p.line(`export const ${codecName(u.name)}: ${ctx.xdr}.XdrCodec<${name}> = {`);
  p.indent(() => {
    p.line(`name: ${quote(u.name)},`, `minSize: ${ctx.factsOf(u).minSize},`);
    p.block("encode($w, $v) {", () => encodeBody(ctx, shape), "},");
    p.block("decode($r) {", () => decodeBody(ctx, shape), "},");
  });
  p.line("};");
}

/** `switch ($d) { case …: { arm } … default: throw … }` over the coded arms. */
function armSwitch(
  ctx: EmitContext,
  shape: UnionShape,
  arm: (a: ArmPlan) => void,
  offset: string,
): void {
  const p = ctx.printer;
  p.block("switch ($d) {", () => {
    for (const a of shape.coded) {
      const labels = a.labels ?? ["default:"];
      p.line(...labels.slice(0, -1));
      p.block(`${labels[labels.length - 1]} {`, () => {
        arm(a);
        p.line("break;");
      });
    }
    if (!shape.coded.some((a) => a.labels === null)) {
      p.line("default:");
      p.indent(() => p.line(`throw ${shape.noArm("$d", offset)};`));
    }
  });
}

/** The rethrow that adds the union's name and the part being coded to an `XdrError`. */
function unionCatch(ctx: EmitContext, shape: UnionShape, index: boolean): void {
  ctx.printer.block("} catch ($e) {", () => {
    ctx.printer.line(
      `throw ${ctx.xdr}.XdrError.at($e, ${quote(shape.u.name)}, ${shape.segment}${index ? ", $i" : ""});`,
    );
  });
}

function encodeBody(ctx: EmitContext, shape: UnionShape): void {
  const p = ctx.printer;
  const { u } = shape;
  const enc = new BodyWriter(ctx, p);
  if (shape.fields) p.line("let $f = 0;");
  const at = p.mark();
  p.block(
    "try {",
    () => {
      p.line(`const $d = ${member("$v", u.discriminant.name)};`);
      enc.encode(u.discriminant.type, "$d");
      if (shape.coded.some((a) => a.field !== null)) {
        p.line("const $u = $v as unknown as { readonly [k: string]: unknown };");
      }
      armSwitch(
        ctx,
        shape,
        (a) => {
          if (a.field === null) return;
          p.line(`$f = ${a.index};`);
          enc.encode(a.field.type, `$u[${quote(a.field.name)}] as ${ctx.tsType(a.field.type)}`);
        },
        "$w.length",
      );
    },
    null,
  );
  if (enc.usesIndex) p.insert(at, "let $i = -1;");
  unionCatch(ctx, shape, enc.usesIndex);
}

function decodeBody(ctx: EmitContext, shape: UnionShape): void {
  const p = ctx.printer;
  const { u } = shape;
  const disc = propertyKey(u.discriminant.name);
  const recursive = ctx.factsOf(u).recursive;
  const dec = new BodyWriter(ctx, p);
  if (shape.fields) p.line("let $f = 0;");
  const at = p.mark();
  if (recursive) p.line("$r.enter();");
  p.block(
    "try {",
    () => {
      p.line(`const $d = ${dec.decode(u.discriminant.type)};`);
      p.line(`let $x: ${shape.name};`);
      armSwitch(
        ctx,
        shape,
        (a) => {
          const discValue = a.single ?? `$d as ${a.discType}`;
          if (a.field === null) {
            p.line(`$x = { ${disc}: ${discValue} };`);
            return;
          }
          p.line(`$f = ${a.index};`);
          const e = dec.decode(a.field.type);
          p.line(`$x = { ${disc}: ${discValue}, ${propertyKey(a.field.name)}: ${e} };`);
        },
        "$r.pos - 4",
      );
      if (recursive) p.line("$r.leave();");
      p.line("return $x;");
    },
    null,
  );
  if (dec.usesIndex) p.insert(at, "let $i = -1;");
  unionCatch(ctx, shape, dec.usesIndex);
}
