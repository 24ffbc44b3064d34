/**
 * `lupine/compiler`: the rpcgen-compatible protocol compiler as a library. Pure: file access
 * goes through a {@link CompilerHost}; the `lupine gen` command wraps it for the shell.
 */
export type { Facts, TypeFacts } from "./analyze.js";
export type * as ast from "./ast.js";
export { type CheckResult, check } from "./check.js";
export {
  type CompileOptions,
  type CompileResult,
  compile,
  defaultOutputPath,
  type Output,
  PASSES,
} from "./compile.js";
export { describe } from "./describe.js";
export {
  type Diagnostic,
  DiagnosticBag,
  formatDiagnostic,
  type Pos,
  type Severity,
  sortDiagnostics,
} from "./diagnostics.js";
export { type CompilerHost, memoryHost } from "./host.js";
export type * from "./model.js";
export { camelCase, methodNames, pascalCase, tsName } from "./names.js";
export { parse } from "./parser.js";
export { parseDefine, preprocess } from "./preprocess.js";
export { scan, type Token } from "./scanner.js";
