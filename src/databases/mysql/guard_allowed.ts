/**
 * What MySQL/MariaDB user SQL may use, as allow-lists: functions (lower case) that both
 * servers have and that only compute on their arguments, cast types, operators, join
 * kinds, and the system schemas user SQL may not name. Anything not listed is refused, so
 * adding a function means adding it here after checking that it reads nothing but its
 * arguments (no server, session or connection state, no file, no lock, no wait).
 *
 * Deliberately absent: information functions (USER(), DATABASE(), VERSION(),
 * CONNECTION_ID(), LAST_INSERT_ID(), FOUND_ROWS(), …), SLEEP, BENCHMARK, the lock
 * functions (GET_LOCK, RELEASE_LOCK, IS_FREE_LOCK, …), replication waits
 * (MASTER_POS_WAIT, …), LOAD_FILE, sequences (NEXTVAL, SETVAL, LASTVAL), UUID_SHORT,
 * character-set functions (CHARSET, COLLATION, CONVERT … USING) and anything MySQL or
 * MariaDB has alone. REPEAT, LPAD, RPAD and SPACE stay: the server caps their results at
 * max_allowed_packet (NULL and a warning beyond it), so they cannot exhaust memory. STD and
 * VARIANCE are left out because node-sql-parser cannot read them (use STDDEV, VAR_POP), and
 * POSITION(a IN b) because it reads it as an IN list (use LOCATE).
 * @module
 */

/** Aggregate functions (all also take OVER). */
const AGGREGATE_FUNCTIONS = [
  "avg",
  "bit_and",
  "bit_or",
  "bit_xor",
  "count",
  "group_concat",
  "max",
  "min",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "sum",
  "var_pop",
  "var_samp",
];

/** Ranking and offset window functions. */
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
  "row_number",
];

/** String functions, regular expressions included. */
const STRING_FUNCTIONS = [
  "ascii",
  "bit_length",
  "char_length",
  "character_length",
  "concat",
  "concat_ws",
  "crc32",
  "elt",
  "field",
  "find_in_set",
  "format",
  "from_base64",
  "hex",
  "instr",
  "lcase",
  "left",
  "length",
  "locate",
  "lower",
  "lpad",
  "ltrim",
  "md5",
  "mid",
  "octet_length",
  "ord",
  "regexp_instr",
  "regexp_replace",
  "regexp_substr",
  "repeat",
  "replace",
  "reverse",
  "right",
  "rpad",
  "rtrim",
  "sha1",
  "sha2",
  "soundex",
  "space",
  "strcmp",
  "substr",
  "substring",
  "substring_index",
  "to_base64",
  "trim",
  "ucase",
  "unhex",
  "upper",
];

/** Numeric functions. */
const MATH_FUNCTIONS = [
  "abs",
  "acos",
  "asin",
  "atan",
  "atan2",
  "ceil",
  "ceiling",
  "conv",
  "cos",
  "cot",
  "degrees",
  "exp",
  "floor",
  "ln",
  "log",
  "log10",
  "log2",
  "mod",
  "pi",
  "pow",
  "power",
  "radians",
  "rand",
  "round",
  "sign",
  "sin",
  "sqrt",
  "tan",
  "truncate",
];

/** Date and time functions. */
const DATE_TIME_FUNCTIONS = [
  "adddate",
  "addtime",
  "convert_tz",
  "curdate",
  "current_date",
  "current_time",
  "current_timestamp",
  "curtime",
  "date",
  "date_add",
  "date_format",
  "date_sub",
  "datediff",
  "day",
  "dayname",
  "dayofmonth",
  "dayofweek",
  "dayofyear",
  "extract",
  "from_days",
  "from_unixtime",
  "hour",
  "last_day",
  "localtime",
  "localtimestamp",
  "makedate",
  "maketime",
  "microsecond",
  "minute",
  "month",
  "monthname",
  "now",
  "period_add",
  "period_diff",
  "quarter",
  "sec_to_time",
  "second",
  "str_to_date",
  "subdate",
  "subtime",
  "sysdate",
  "time",
  "time_format",
  "time_to_sec",
  "timediff",
  "timestamp",
  "timestampadd",
  "timestampdiff",
  "to_days",
  "to_seconds",
  "unix_timestamp",
  "utc_date",
  "utc_time",
  "utc_timestamp",
  "week",
  "weekday",
  "weekofyear",
  "year",
  "yearweek",
];

/** Conditional expressions written as functions. */
const CONDITIONAL_FUNCTIONS = [
  "coalesce",
  "greatest",
  "if",
  "ifnull",
  "isnull",
  "least",
  "nullif",
];

/** Functions that read JSON values (and build them); none writes. */
const JSON_FUNCTIONS = [
  "json_array",
  "json_contains",
  "json_contains_path",
  "json_depth",
  "json_extract",
  "json_keys",
  "json_length",
  "json_object",
  "json_quote",
  "json_search",
  "json_type",
  "json_unquote",
  "json_valid",
  "json_value",
];

/** Every function user SQL may call on MySQL/MariaDB, lower case, sorted. CAST is syntax. */
export const MYSQL_ALLOWED_FUNCTIONS: readonly string[] = [
  ...new Set([
    ...AGGREGATE_FUNCTIONS,
    ...WINDOW_FUNCTIONS,
    ...STRING_FUNCTIONS,
    ...MATH_FUNCTIONS,
    ...DATE_TIME_FUNCTIONS,
    ...CONDITIONAL_FUNCTIONS,
    ...JSON_FUNCTIONS,
    "cast",
  ]),
].sort();

/** Lookup form of MYSQL_ALLOWED_FUNCTIONS. */
export const ALLOWED_FUNCTION_SET: ReadonlySet<string> = new Set(MYSQL_ALLOWED_FUNCTIONS);

/**
 * Cast target types both servers take, upper case as node-sql-parser reports them
 * (`DECIMAL(10, 2)` and `CHAR(10)` are checked by form in the tree walk). BINARY, JSON
 * and character sets are left out.
 */
export const MYSQL_ALLOWED_CAST_TYPES: readonly string[] = [
  "CHAR",
  "DATE",
  "DATETIME",
  "DECIMAL",
  "DOUBLE",
  "SIGNED",
  "SIGNED INTEGER",
  "TIME",
  "UNSIGNED",
  "UNSIGNED INTEGER",
];

/**
 * Binary operators, as node-sql-parser spells them. `||` and `&&` are left out: `||` is
 * OR or concatenation depending on sql_mode (PIPES_AS_CONCAT).
 */
export const ALLOWED_BINARY_OPERATORS: ReadonlySet<string> = new Set([
  "AND",
  "OR",
  "XOR",
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
  "DIV",
  "MOD",
  "IS",
  "IS NOT",
  "IN",
  "NOT IN",
  "BETWEEN",
  "NOT BETWEEN",
  "LIKE",
  "NOT LIKE",
  "REGEXP",
  "NOT REGEXP",
  "RLIKE",
  "NOT RLIKE",
]);

/** Unary operators. EXISTS takes a subquery, which is checked like any other. */
export const ALLOWED_UNARY_OPERATORS: ReadonlySet<string> = new Set([
  "NOT",
  "-",
  "+",
  "EXISTS",
  "NOT EXISTS",
]);

/** Join kinds, as node-sql-parser spells them. */
export const ALLOWED_JOINS: ReadonlySet<string> = new Set([
  "JOIN",
  "INNER JOIN",
  "LEFT JOIN",
  "LEFT OUTER JOIN",
  "RIGHT JOIN",
  "RIGHT OUTER JOIN",
  "CROSS JOIN",
]);

/**
 * The system schemas, lower case. User SQL may not name them anywhere (as a word or a
 * quoted name, in any case), and a Kontract may not use them as a datasource.
 */
export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set([
  "mysql",
  "information_schema",
  "performance_schema",
  "sys",
]);
