/**
 * Discriminated unions (RFC 4506 §4.15) as TypeScript discriminated unions: one object type per
 * arm, keyed by the declared discriminant name and arm field name —
 * `{ status: 0; value: number } | { status: 2 } | { status: number; other: bigint }`.
 * Several case labels share one arm type (`status: 3 | 4`); the default arm's discriminant is
 * `number` for int, the enum minus the listed cases (`Exclude<>`) for an enum; bool
 * discriminants use `true` / `false`. Void arms carry only the discriminant.
 */
import { BodyWriter, member } from "./emit-body.js";
import type { EmitContext } from "./emit-context.js";
import { docLine } from "./emit-types.js";
import type { Field, UnionType } from "./model.js";
import { codecName, propertyKey, quote, tsName } from "./names.js";

interface ArmPlan {
  /** Case labels (`case 3: case 4:`), or `null` for the default arm. */
  readonly labels: readonly string[] | null;
  /** The discriminant's TypeScript type in this arm. */
  readonly discType: string;
  readonly field: Field | null;
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
    if (a.values.length === 0) continue;
    listed.push(...a.values);
    arms.push({
      labels: a.values.map((v) => `case ${literal(v)}:`),
      discType: a.values.map(literal).join(" | "),
      field: a.field,
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
        index: u.defaultArm.field === null ? 0 : index++,
      });
    }
  }
  return arms;
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
  const names = [disc, ...arms.filter((a) => a.field !== null).map((a) => a.field!.name)];
  const seg = names.length === 1 ? quote(disc) : `[${names.map(quote).join(", ")}][$f]`;
  const facts = ctx.factsOf(u);
  const noArm = (value: string, offset: string) =>
    `new ${ctx.xdr}.XdrError(\`no arm of union ${u.name} for ${disc} = \${String(${value})}\`, ${offset})`;
  p.line(`export const ${codecName(u.name)}: ${ctx.xdr}.XdrCodec<${name}> = {`);
  p.indent(() => {
    p.line(`name: ${quote(u.name)},`, `minSize: ${facts.minSize},`);
    const enc = new BodyWriter(ctx, p);
    p.block(
      "encode($w, $v) {",
      () => {
        if (names.length > 1) p.line("let $f = 0;");
        const at = p.mark();
        p.block(
          "try {",
          () => {
            p.line(`const $d = ${member("$v", disc)};`);
            enc.encode(u.discriminant.type, "$d");
            if (arms.some((a) => a.field !== null)) {
              p.line("const $u = $v as unknown as { readonly [k: string]: unknown };");
            }
            p.block("switch ($d) {", () => {
              for (const a of arms) {
                const labels = a.labels ?? ["default:"];
                p.line(...labels.slice(0, -1));
                p.block(`${labels[labels.length - 1]} {`, () => {
                  if (a.field !== null) {
                    p.line(`$f = ${a.index};`);
                    enc.encode(
                      a.field.type,
                      `$u[${quote(a.field.name)}] as ${ctx.tsType(a.field.type)}`,
                    );
                  }
                  p.line("break;");
                });
              }
              if (!arms.some((a) => a.labels === null)) {
                p.line("default:");
                p.indent(() => p.line(`throw ${noArm("$d", "$w.length")};`));
              }
            });
          },
          null,
        );
        if (enc.usesIndex) p.insert(at, "let $i = -1;");
        p.block("} catch ($e) {", () => {
          p.line(
            `throw ${ctx.xdr}.XdrError.at($e, ${quote(u.name)}, ${seg}${enc.usesIndex ? ", $i" : ""});`,
          );
        });
      },
      "},",
    );
    const dec = new BodyWriter(ctx, p);
    p.block(
      "decode($r) {",
      () => {
        if (names.length > 1) p.line("let $f = 0;");
        const at = p.mark();
        if (facts.recursive) p.line("$r.enter();");
        p.block(
          "try {",
          () => {
            p.line(`const $d = ${dec.decode(u.discriminant.type)};`);
            p.line(`let $x: ${name};`);
            p.block("switch ($d) {", () => {
              for (const a of arms) {
                const labels = a.labels ?? ["default:"];
                p.line(...labels.slice(0, -1));
                p.block(`${labels[labels.length - 1]} {`, () => {
                  const single = a.labels !== null && a.labels.length === 1;
                  const discValue = single ? a.discType : `$d as ${a.discType}`;
                  if (a.field === null) {
                    p.line(`$x = { ${propertyKey(disc)}: ${discValue} };`);
                  } else {
                    p.line(`$f = ${a.index};`);
                    const e = dec.decode(a.field.type);
                    p.line(
                      `$x = { ${propertyKey(disc)}: ${discValue}, ${propertyKey(a.field.name)}: ${e} };`,
                    );
                  }
                  p.line("break;");
                });
              }
              if (!arms.some((a) => a.labels === null)) {
                p.line("default:");
                p.indent(() => p.line(`throw ${noArm("$d", "$r.pos - 4")};`));
              }
            });
            if (facts.recursive) p.line("$r.leave();");
            p.line("return $x;");
          },
          null,
        );
        if (dec.usesIndex) p.insert(at, "let $i = -1;");
        p.block("} catch ($e) {", () => {
          p.line(
            `throw ${ctx.xdr}.XdrError.at($e, ${quote(u.name)}, ${seg}${dec.usesIndex ? ", $i" : ""});`,
          );
        });
      },
      "},",
    );
  });
  p.line("};");
}
