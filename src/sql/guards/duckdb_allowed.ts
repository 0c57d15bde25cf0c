/**
 * What DuckDB user SQL may contain, as allow-lists over DuckDB's own parse tree
 * (`json_serialize_sql`): query nodes, table references, expression classes and types,
 * functions by category, and cast target types. Names are as DuckDB's parser reports
 * them: function names lower-cased, operators by their symbol (`LIKE` is `~~`, `GLOB`
 * is `~~~`), `EXTRACT(… FROM …)` already `date_part`. Some SQL is syntax, not a call,
 * and allowed as such: `COALESCE`/`IFNULL` (an operator), `IF(…)` and `CASE`, `IN`,
 * `IS [NOT] NULL`, `BETWEEN`, `CAST`/`TRY_CAST`/`::`, `TRY(…)`, `COLLATE`, list and
 * struct literals and indexing, and `CURRENT_DATE`/`CURRENT_TIMESTAMP`-style keywords.
 *
 * Nothing here reads or writes files, runs SQL text, reads settings, secrets or the
 * catalogs, sleeps, or builds unbounded output from a constant: anything missing is
 * refused. `lpad`/`rpad` are allowed only with a small literal width (see
 * `BOUNDED_WIDTH_FUNCTIONS`); `range`/`generate_series`/`repeat` are not allowed at all.
 * @module
 */

/** Query node types (`SELECT`, `UNION`/`EXCEPT`/`INTERSECT`); recursive CTEs are not. */
export const ALLOWED_QUERY_NODES: ReadonlySet<string> = new Set([
  "SELECT_NODE",
  "SET_OPERATION_NODE",
]);

/**
 * Table references: the dataset or a CTE (`BASE_TABLE`, names checked separately),
 * joins, subqueries, `VALUES`, no FROM, and table functions from
 * `ALLOWED_TABLE_FUNCTIONS`. Not PIVOT/UNPIVOT (an un-listed PIVOT runs a query of its
 * own while binding) nor SHOW/DESCRIBE/SUMMARIZE (they read the catalog).
 */
export const ALLOWED_TABLE_REFS: ReadonlySet<string> = new Set([
  "BASE_TABLE",
  "JOIN",
  "SUBQUERY",
  "EXPRESSION_LIST",
  "EMPTY",
  "TABLE_FUNCTION",
]);

/** Functions allowed in FROM: `unnest` expands a list the query already holds. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(["unnest"]);

/** Expression classes and, for each, the expression types it may have. */
export const ALLOWED_EXPRESSIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["BETWEEN", new Set(["COMPARE_BETWEEN"])],
  ["CASE", new Set(["CASE_EXPR"])],
  ["CAST", new Set(["OPERATOR_CAST"])],
  ["COLLATE", new Set(["COLLATE"])],
  ["COLUMN_REF", new Set(["COLUMN_REF"])],
  [
    "COMPARISON",
    new Set([
      "COMPARE_EQUAL",
      "COMPARE_NOTEQUAL",
      "COMPARE_LESSTHAN",
      "COMPARE_GREATERTHAN",
      "COMPARE_LESSTHANOREQUALTO",
      "COMPARE_GREATERTHANOREQUALTO",
      "COMPARE_DISTINCT_FROM",
      "COMPARE_NOT_DISTINCT_FROM",
    ]),
  ],
  ["CONJUNCTION", new Set(["CONJUNCTION_AND", "CONJUNCTION_OR"])],
  ["CONSTANT", new Set(["VALUE_CONSTANT"])],
  ["FUNCTION", new Set(["FUNCTION"])],
  ["LAMBDA", new Set(["LAMBDA"])],
  [
    "OPERATOR",
    new Set([
      "OPERATOR_NOT",
      "OPERATOR_IS_NULL",
      "OPERATOR_IS_NOT_NULL",
      "OPERATOR_COALESCE",
      "OPERATOR_TRY",
      "COMPARE_IN",
      "COMPARE_NOT_IN",
      "ARRAY_EXTRACT",
      "ARRAY_SLICE",
      "ARRAY_CONSTRUCTOR",
      "STRUCT_EXTRACT",
      "GROUPING_FUNCTION",
    ]),
  ],
  ["POSITIONAL_REFERENCE", new Set(["POSITIONAL_REFERENCE"])],
  ["STAR", new Set(["STAR"])],
  ["SUBQUERY", new Set(["SUBQUERY"])],
  [
    "WINDOW",
    new Set([
      "WINDOW_AGGREGATE",
      "WINDOW_ROW_NUMBER",
      "WINDOW_RANK",
      "WINDOW_RANK_DENSE",
      "WINDOW_PERCENT_RANK",
      "WINDOW_CUME_DIST",
      "WINDOW_NTILE",
      "WINDOW_LAG",
      "WINDOW_LEAD",
      "WINDOW_FIRST_VALUE",
      "WINDOW_LAST_VALUE",
      "WINDOW_NTH_VALUE",
    ]),
  ],
]);

/** Kinds of subquery expression: scalar, EXISTS, `IN`/`ANY`/`ALL`. */
export const ALLOWED_SUBQUERY_TYPES: ReadonlySet<string> = new Set([
  "SCALAR",
  "EXISTS",
  "NOT_EXISTS",
  "ANY",
]);

/** Operators, as DuckDB's parser names the function each one calls. */
const OPERATORS = [
  "+",
  "-",
  "*",
  "/",
  "//",
  "%",
  "^",
  "**",
  "||",
  "~~", // LIKE
  "!~~", // NOT LIKE
  "~~*", // ILIKE
  "!~~*", // NOT ILIKE
  "~~~", // GLOB (a pattern match on text, not the file function glob())
  "^@", // starts with
  "@>", // list contains
  "<@",
  "&&", // lists overlap
  "&",
  "|",
  "~",
  "<<",
  ">>",
  "@", // absolute value
  "like_escape",
  "not_like_escape",
  "ilike_escape",
  "not_ilike_escape",
];

// COALESCE, IFNULL and IF(…) parse as the COALESCE operator and CASE.
const CONDITIONAL = ["nullif", "greatest", "least"];

const STRING = [
  "ascii",
  "bit_length",
  "chr",
  "concat",
  "concat_ws",
  "contains",
  "ends_with",
  "instr",
  "lcase",
  "left",
  "length",
  "len",
  "levenshtein",
  "lower",
  "lpad",
  "ltrim",
  "md5",
  "octet_length",
  "position",
  "prefix",
  "regexp_extract",
  "regexp_extract_all",
  "regexp_full_match",
  "regexp_matches",
  "regexp_replace",
  "regexp_split_to_array",
  "replace",
  "reverse",
  "right",
  "rpad",
  "rtrim",
  "sha256",
  "split_part",
  "starts_with",
  "str_split",
  "string_split",
  "strip_accents",
  "strlen",
  "strpos",
  "substr",
  "substring",
  "suffix",
  "translate",
  "trim",
  "ucase",
  "upper",
  "hamming",
  "jaro_similarity",
  "jaro_winkler_similarity",
  "damerau_levenshtein",
];

const MATH = [
  "abs",
  "acos",
  "asin",
  "atan",
  "atan2",
  "cbrt",
  "ceil",
  "ceiling",
  "cos",
  "degrees",
  "even",
  "exp",
  "floor",
  "gcd",
  "isfinite",
  "isinf",
  "isnan",
  "lcm",
  "ln",
  "log",
  "log10",
  "log2",
  "pi",
  "pow",
  "power",
  "radians",
  "round",
  "sign",
  "sin",
  "sqrt",
  "tan",
  "trunc",
];

const DATE_TIME = [
  "age",
  "century",
  "current_date",
  "date_add",
  "date_diff",
  "date_part",
  "date_sub",
  "date_trunc",
  "datediff",
  "datepart",
  "datesub",
  "datetrunc",
  "day",
  "dayname",
  "dayofmonth",
  "dayofweek",
  "dayofyear",
  "decade",
  "epoch",
  "epoch_ms",
  "epoch_ns",
  "epoch_us",
  "get_current_time",
  "get_current_timestamp",
  "hour",
  "isodow",
  "isoyear",
  "last_day",
  "make_date",
  "make_time",
  "make_timestamp",
  "microsecond",
  "millennium",
  "millisecond",
  "minute",
  "month",
  "monthname",
  "now",
  "quarter",
  "second",
  "strftime",
  "strptime",
  "time_bucket",
  "timezone",
  "to_centuries",
  "to_days",
  "to_decades",
  "to_hours",
  "to_microseconds",
  "to_millennia",
  "to_milliseconds",
  "to_minutes",
  "to_months",
  "to_quarters",
  "to_seconds",
  "to_timestamp",
  "to_weeks",
  "to_years",
  "today",
  "try_strptime",
  "week",
  "weekday",
  "weekofyear",
  "year",
  "yearweek",
];

const LIST_AND_STRUCT = [
  "array_contains",
  "array_extract",
  "array_length",
  "list_contains",
  "list_distinct",
  "list_element",
  "list_extract",
  "list_filter",
  "list_has",
  "list_sort",
  "list_transform",
  "list_value",
  "row",
  "struct_extract",
  "struct_pack",
  "unnest",
];

const OTHER_SCALAR = ["hash", "typeof"];

const AGGREGATE = [
  "any_value",
  "approx_count_distinct",
  "approx_quantile",
  "arg_max",
  "arg_min",
  "argmax",
  "argmin",
  "array_agg",
  "avg",
  "bit_and",
  "bit_or",
  "bit_xor",
  "bool_and",
  "bool_or",
  "corr",
  "count",
  "count_if",
  "count_star",
  "countif",
  "covar_pop",
  "covar_samp",
  "entropy",
  "first",
  "fsum",
  "group_concat",
  "kurtosis",
  "last",
  "list",
  "listagg",
  "mad",
  "max",
  "max_by",
  "mean",
  "median",
  "min",
  "min_by",
  "mode",
  "product",
  "quantile",
  "quantile_cont",
  "quantile_disc",
  "regr_slope",
  "regr_intercept",
  "skewness",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "string_agg",
  "sum",
  "var_pop",
  "var_samp",
  "variance",
];

/** Window-only functions (`OVER (…)`); aggregates may also be used as windows. */
const WINDOW = [
  "row_number",
  "rank",
  "dense_rank",
  "percent_rank",
  "cume_dist",
  "ntile",
  "lag",
  "lead",
  "first_value",
  "last_value",
  "nth_value",
];

/** Functions and operators an expression may call (aggregates included). */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  ...OPERATORS,
  ...CONDITIONAL,
  ...STRING,
  ...MATH,
  ...DATE_TIME,
  ...LIST_AND_STRUCT,
  ...OTHER_SCALAR,
  ...AGGREGATE,
]);

/** Aggregates, which may also be computed over a window. */
export const ALLOWED_AGGREGATES: ReadonlySet<string> = new Set(AGGREGATE);

/** Functions that exist only as windows. */
export const ALLOWED_WINDOW_FUNCTIONS: ReadonlySet<string> = new Set(WINDOW);

/**
 * Functions whose output grows with one argument: allowed only when that argument (by
 * 0-based position) is an integer literal no larger than `MAX_WIDTH`, so that
 * `lpad(x, 2000000000)` cannot make DuckDB allocate gigabytes.
 */
export const BOUNDED_WIDTH_FUNCTIONS: ReadonlyMap<string, number> = new Map([
  ["lpad", 1],
  ["rpad", 1],
]);

/** The largest literal width `BOUNDED_WIDTH_FUNCTIONS` accept. */
export const MAX_WIDTH = 10_000;

/** Cast target types (type ids in the tree); LIST/ARRAY of these too. */
export const ALLOWED_CAST_TYPES: ReadonlySet<string> = new Set([
  "BOOLEAN",
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
  "UHUGEINT",
  "DECIMAL",
  "FLOAT",
  "DOUBLE",
  "VARCHAR",
  "BLOB",
  "UUID",
  "DATE",
  "TIME",
  "TIME WITH TIME ZONE",
  "TIMESTAMP",
  "TIMESTAMP WITH TIME ZONE",
  "TIMESTAMP_S",
  "TIMESTAMP_MS",
  "TIMESTAMP_NS",
  "INTERVAL",
  "LIST",
  "ARRAY",
]);

/** Extra type information each cast type may carry (none when missing here). */
export const ALLOWED_TYPE_INFO: ReadonlyMap<string, string> = new Map([
  ["DECIMAL", "DECIMAL_TYPE_INFO"],
  ["LIST", "LIST_TYPE_INFO"],
  ["ARRAY", "ARRAY_TYPE_INFO"],
]);

/**
 * CTE names that could be mistaken for DuckDB's system views and table functions. A CTE
 * shadows them where it is in scope; refusing the names keeps a scoping mistake from
 * ever reaching the real view.
 */
export const RESERVED_NAME_PREFIXES: readonly string[] = [
  "duckdb_",
  "pg_",
  "sqlite_",
  "pragma_",
  "information_schema",
];
