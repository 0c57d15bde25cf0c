/**
 * `contains`: non-null values that do not contain a literal text (`value`, not a
 * pattern), case-sensitively unless `case_sensitive: false`. See literal_text_rule.ts.
 * @module
 */
import { literalTextRule } from "./literal_text_rule.ts";

/** Counts non-null values that do not contain `value`. */
export default literalTextRule("contains", "contains");
