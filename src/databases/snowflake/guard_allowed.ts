/**
 * What Snowflake user SQL may use, as allow-lists: functions (Snowflake's names, lower
 * case), cast types, operators and join kinds. Anything not listed is refused, so adding
 * a function means adding it here, after checking that it only computes on its arguments
 * (no other query's results, no stage, no object metadata, no side effect).
 * @module
 */

/** Aggregate functions. */
const AGGREGATE_FUNCTIONS = [
  "any_value",
  "approx_count_distinct",
  "approx_percentile",
  "array_agg",
  "avg",
  "booland_agg",
  "boolor_agg",
  "boolxor_agg",
  "corr",
  "count",
  "count_if",
  "covar_pop",
  "covar_samp",
  "kurtosis",
  "listagg",
  "max",
  "max_by",
  "median",
  "min",
  "min_by",
  "mode",
  "percentile_cont",
  "percentile_disc",
  "skew",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "sum",
  "var_pop",
  "var_samp",
  "variance",
  "variance_pop",
  "variance_samp",
];

/** Ranking and offset window functions (aggregates also take OVER). */
const WINDOW_FUNCTIONS = [
  "cume_dist",
  "dense_rank",
  "first_value",
  "lag",
  "last_value",
  "lead",
  "nth_value",
  "ntile",
  "percent_rank",
  "rank",
  "ratio_to_report",
  "row_number",
];

/** String functions, regular expressions included. */
const STRING_FUNCTIONS = [
  "ascii",
  "charindex",
  "chr",
  "concat",
  "concat_ws",
  "contains",
  "editdistance",
  "endswith",
  "hash",
  "initcap",
  "left",
  "len",
  "length",
  "lower",
  "lpad",
  "ltrim",
  "md5",
  "position",
  "regexp_count",
  "regexp_instr",
  "regexp_like",
  "regexp_replace",
  "regexp_substr",
  "repeat",
  "replace",
  "reverse",
  "right",
  "rlike",
  "rpad",
  "rtrim",
  "sha1",
  "sha2",
  "soundex",
  "space",
  "split_part",
  "startswith",
  "strtok",
  "substr",
  "substring",
  "translate",
  "trim",
  "upper",
];

/** Numeric functions. */
const MATH_FUNCTIONS = [
  "abs",
  "acos",
  "asin",
  "atan",
  "atan2",
  "cbrt",
  "ceil",
  "cos",
  "degrees",
  "div0",
  "div0null",
  "exp",
  "floor",
  "ln",
  "log",
  "mod",
  "pi",
  "pow",
  "power",
  "radians",
  "round",
  "sign",
  "sin",
  "sqrt",
  "square",
  "tan",
  "trunc",
];

/** Conditional expressions written as functions. */
const CONDITIONAL_FUNCTIONS = [
  "coalesce",
  "decode",
  "equal_null",
  "greatest",
  "iff",
  "ifnull",
  "least",
  "nullif",
  "nullifzero",
  "nvl",
  "nvl2",
  "zeroifnull",
];

/** Date and time functions. */
const DATE_TIME_FUNCTIONS = [
  "add_months",
  "convert_timezone",
  "current_date",
  "current_time",
  "current_timestamp",
  "date_from_parts",
  "date_part",
  "date_trunc",
  "dateadd",
  "datediff",
  "day",
  "dayname",
  "dayofmonth",
  "dayofweek",
  "dayofyear",
  "extract",
  "hour",
  "last_day",
  "minute",
  "month",
  "monthname",
  "months_between",
  "next_day",
  "previous_day",
  "quarter",
  "second",
  "sysdate",
  "time_from_parts",
  "timeadd",
  "timediff",
  "timestamp_from_parts",
  "timestampadd",
  "timestampdiff",
  "to_date",
  "to_time",
  "to_timestamp",
  "to_timestamp_ltz",
  "to_timestamp_ntz",
  "to_timestamp_tz",
  "try_to_date",
  "try_to_time",
  "try_to_timestamp",
  "try_to_timestamp_ltz",
  "try_to_timestamp_ntz",
  "try_to_timestamp_tz",
  "week",
  "weekofyear",
  "year",
];

/** Casts and conversions (CAST and TRY_CAST are syntax, listed for the docs). */
const CONVERSION_FUNCTIONS = [
  "cast",
  "to_boolean",
  "to_char",
  "to_decimal",
  "to_double",
  "to_number",
  "to_numeric",
  "to_varchar",
  "try_cast",
  "try_to_boolean",
  "try_to_decimal",
  "try_to_double",
  "try_to_number",
  "try_to_numeric",
];

/** Every function user SQL may call on Snowflake, lower case, sorted. */
export const SNOWFLAKE_ALLOWED_FUNCTIONS: readonly string[] = [
  ...new Set([
    ...AGGREGATE_FUNCTIONS,
    ...WINDOW_FUNCTIONS,
    ...STRING_FUNCTIONS,
    ...MATH_FUNCTIONS,
    ...CONDITIONAL_FUNCTIONS,
    ...DATE_TIME_FUNCTIONS,
    ...CONVERSION_FUNCTIONS,
  ]),
].sort();

/** Lookup form of SNOWFLAKE_ALLOWED_FUNCTIONS. */
export const ALLOWED_FUNCTION_SET: ReadonlySet<string> = new Set(SNOWFLAKE_ALLOWED_FUNCTIONS);

/**
 * Cast target types, upper case as node-sql-parser reports them. VARIANT, OBJECT, ARRAY
 * and GEOGRAPHY are left out: semi-structured values are not what a check computes.
 */
export const SNOWFLAKE_ALLOWED_CAST_TYPES: readonly string[] = [
  "BIGINT",
  "BINARY",
  "BOOLEAN",
  "BYTEINT",
  "CHAR",
  "CHARACTER",
  "DATE",
  "DATETIME",
  "DECIMAL",
  "DOUBLE",
  "DOUBLE PRECISION",
  "FLOAT",
  "FLOAT4",
  "FLOAT8",
  "INT",
  "INTEGER",
  "NUMBER",
  "NUMERIC",
  "REAL",
  "SMALLINT",
  "STRING",
  "TEXT",
  "TIME",
  "TIMESTAMP",
  "TIMESTAMP_LTZ",
  "TIMESTAMP_NTZ",
  "TIMESTAMP_TZ",
  "TINYINT",
  "VARBINARY",
  "VARCHAR",
];

/** Binary operators, as node-sql-parser spells them. */
export const ALLOWED_BINARY_OPERATORS: ReadonlySet<string> = new Set([
  "AND",
  "OR",
  "=",
  "<>",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "||",
  "IS",
  "IS NOT",
  "IN",
  "NOT IN",
  "BETWEEN",
  "NOT BETWEEN",
  "LIKE",
  "NOT LIKE",
  "ILIKE",
  "NOT ILIKE",
  "REGEXP",
  "NOT REGEXP",
]);

/** Unary operators. EXISTS takes a subquery, which is checked like any other. */
export const ALLOWED_UNARY_OPERATORS: ReadonlySet<string> = new Set([
  "NOT",
  "-",
  "+",
  "EXISTS",
  "NOT EXISTS",
]);

/** Join kinds. */
export const ALLOWED_JOINS: ReadonlySet<string> = new Set([
  "INNER JOIN",
  "LEFT JOIN",
  "RIGHT JOIN",
  "FULL JOIN",
  "CROSS JOIN",
]);

/**
 * Names of Snowflake's system data, upper case: the shared SNOWFLAKE database and its
 * usage schemas, and every database's INFORMATION_SCHEMA. User SQL may not name them
 * anywhere, quoted or not, in any case.
 */
export const SYSTEM_NAMES: ReadonlySet<string> = new Set([
  "SNOWFLAKE",
  "INFORMATION_SCHEMA",
  "ACCOUNT_USAGE",
  "ORGANIZATION_USAGE",
  "READER_ACCOUNT_USAGE",
  "DATA_SHARING_USAGE",
]);
