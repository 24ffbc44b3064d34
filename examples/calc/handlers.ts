/**
 * The calculator's procedures, shared by the example server and the live demo: func1 doubles its
 * argument, func2 adds its two, both wrapping to 32 bits as C's `int` arithmetic does (XDR `int`
 * is 32-bit signed, RFC 4506 §4.1).
 */
import type { CalcV1Handlers } from "./gen/calc.js";

/** func1(arg1) = 2·arg1, wrapped to 32 bits. */
export function func1(arg1: number): number {
  return (arg1 * 2) | 0;
}

/** func2(arg1, arg2) = arg1 + arg2, wrapped to 32 bits. */
export function func2(arg1: number, arg2: number): number {
  return (arg1 + arg2) | 0;
}

/**
 * The handlers a server registers for CalcV1; `onExecute` (optional) is told about every
 * execution — the demo counts them to show that no call runs twice.
 */
export function calcHandlers(onExecute?: (procedure: "func1" | "func2") => void): CalcV1Handlers {
  return {
    func1: (a) => {
      onExecute?.("func1");
      return func1(a);
    },
    func2: (a, b) => {
      onExecute?.("func2");
      return func2(a, b);
    },
  };
}
