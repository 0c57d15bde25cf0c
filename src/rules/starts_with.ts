/**
 * `starts_with`: non-null values that do not start with a literal text (`value`, not a
 * pattern), case-sensitively unless `case_sensitive: false`. See literal_text_rule.ts.
 * @module
 */
import { literalTextRule } from "./literal_text_rule.ts";

/** Counts non-null values that do not start with `value`. */
export default literalTextRule("starts_with", "starts");
