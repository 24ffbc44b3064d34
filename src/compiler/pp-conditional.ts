/**
 * The conditional inclusion state of one file being preprocessed (C11 §6.10.1): the nesting of
 * `#if`/`#ifdef`/`#ifndef` … `#elif` … `#else` … `#endif`, which branch is taken, and whether
 * the tokens at this point are kept. Conditions are evaluated lazily, only where C evaluates
 * them (not inside a skipped region, not after a branch was taken).
 */
import type { DiagnosticBag, Pos } from "./diagnostics.js";

interface Branch {
  /** This branch's tokens are kept. */
  active: boolean;
  /** Some branch of this `#if` chain was taken already. */
  taken: boolean;
  /** The enclosing region is kept. */
  readonly parentActive: boolean;
  elseSeen: boolean;
  readonly pos: Pos;
}

/** The `#if` nesting of one file; problems go to `diags` as `bad-directive`. */
export class Conditionals {
  private readonly stack: Branch[] = [];

  constructor(private readonly diags: DiagnosticBag) {}

  /** Whether tokens at this point are kept. */
  get active(): boolean {
    return this.stack.length === 0 || this.stack[this.stack.length - 1]!.active;
  }

  /** `#if`, `#ifdef`, `#ifndef`: `condition` is evaluated only inside a kept region. */
  open(at: Pos, condition: () => boolean): void {
    if (!this.active) {
      this.stack.push({
        active: false,
        taken: true,
        parentActive: false,
        elseSeen: false,
        pos: at,
      });
      return;
    }
    const value = condition();
    this.stack.push({ active: value, taken: value, parentActive: true, elseSeen: false, pos: at });
  }

  /** `#elif` (with its condition) or `#else` (`condition` null). */
  next(at: Pos, condition: (() => boolean) | null): void {
    const name = condition === null ? "#else" : "#elif";
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.diags.error(at, "bad-directive", `${name} without #if`);
      return;
    }
    if (top.elseSeen) this.diags.error(at, "bad-directive", `${name} after #else`);
    if (condition === null) top.elseSeen = true;
    if (!top.parentActive || top.taken) {
      top.active = false;
      return;
    }
    const value = condition === null || condition();
    top.active = value;
    top.taken = value;
  }

  /** `#endif`. */
  close(at: Pos): void {
    if (this.stack.pop() === undefined) this.diags.error(at, "bad-directive", "#endif without #if");
  }

  /** At the end of the file: reports every `#if` left open. */
  end(): void {
    for (const b of this.stack) {
      this.diags.error(b.pos, "unterminated-conditional", "#if without #endif");
    }
  }
}
