/**
 * Whether Polars' regex engine (Rust `regex` syntax, within its size limit) accepts a
 * pattern: asked the way the scan uses it, as an expression (`Series.str.contains`
 * yields null instead of throwing on a bad pattern).
 * @module
 */
import pl from "npm:nodejs-polars@0.25.2";

/** True when Polars accepts `pattern` in `str.contains`. */
export function polarsRegexCompiles(pattern: string): boolean {
  try {
    pl.DataFrame({ probe: [""] }).select(pl.col("probe").str.contains(pattern));
    return true;
  } catch {
    return false;
  }
}
