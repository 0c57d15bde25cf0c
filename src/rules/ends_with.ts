/**
 * `ends_with`: non-null values that do not end with a literal text (`value`, not a
 * pattern), case-sensitively unless `case_sensitive: false`. See literal_text_rule.ts.
 * @module
 */
import { literalTextRule } from "./literal_text_rule.ts";

/** Counts non-null values that do not end with `value`. */
export default literalTextRule("ends_with", "ends");
