/**
 * Exactly what `lupine gen` output imports. Generated modules inside this package import this
 * file by a relative path (`lupine gen --runtime`), so that they do not form an import cycle
 * through the package's main entry; generated modules elsewhere import `lupine`, which re-exports
 * the same names.
 */
export * as xdr from "../xdr/index.js";
export { type ClientOf, defineProgram, type HandlersOf } from "./program.js";
