/**
 * What the MySQL/MariaDB guard's tests share: the tables the SQL reads (created for the
 * differential tests in a database of their own), the legitimate SELECTs the guard must
 * accept, and one example call of every allowed function.
 * @module
 */

/** The dataset: what `{table}` is bound to. */
export const DATASET = "orders";

/** The tables every accepted statement may read. */
export const TABLES: readonly string[] = [
  "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, amount DECIMAL(10, 2), " +
  "placed DATE, shipped DATETIME, state VARCHAR(20), email VARCHAR(100), note TEXT, " +
  "payload LONGTEXT, `ü` INT, `a``b` INT, `order` INT, " +
  // Names the random SQL of the server test may form.
  "N INT, B INT, e INT, x INT)",
  "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50), country CHAR(2))",
];

/** Legitimate data checks, `{table}` unbound. */
export const ACCEPTED: readonly string[] = [
  "SELECT * FROM {table} WHERE amount < 0",
  "select id from {table} where email not like '%@%' and state in ('paid', 'refund')",
  "SELECT * FROM {table} WHERE email REGEXP '^[a-z]+@' AND state NOT RLIKE 'x|y'",
  "WITH d AS (SELECT email, count(*) AS n FROM {table} GROUP BY email) SELECT * FROM d WHERE n > 1",
  "WITH a AS (SELECT id FROM {table}), b AS (SELECT id FROM a) SELECT * FROM b",
  "WITH c (x, y) AS (SELECT id, amount FROM {table}) SELECT x FROM c WHERE y > 1",
  "SELECT o.id FROM {table} o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'US'",
  "SELECT o.id FROM {table} o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL",
  "SELECT o.id FROM {table} AS o INNER JOIN customers AS c USING (id) RIGHT JOIN customers x ON 1",
  "SELECT o.id FROM {table} o CROSS JOIN customers c LIMIT 1",
  "SELECT a.id FROM {table} a, {table} b WHERE a.id = b.id AND a.email <> b.email",
  "SELECT * FROM {table} WHERE customer_id NOT IN (SELECT id FROM customers)",
  "SELECT * FROM {table} o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)",
  "SELECT * FROM {table} WHERE amount > ALL (SELECT amount FROM {table} WHERE state = 'x')",
  "SELECT * FROM {table} WHERE amount = ANY (SELECT amount FROM {table})",
  "SELECT (SELECT max(amount) FROM {table}) AS top, d.n FROM (SELECT count(*) AS n FROM {table}) d",
  "SELECT state, count(*) FROM {table} GROUP BY state HAVING count(*) > 1 ORDER BY 2 DESC",
  "SELECT count(DISTINCT email), sum(amount), avg(amount), min(placed), max(placed) FROM {table}",
  "SELECT group_concat(DISTINCT state ORDER BY state SEPARATOR ', ') FROM {table}",
  "SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY email ORDER BY placed DESC) AS rn " +
  "FROM {table}) x WHERE rn > 1",
  "SELECT lag(amount, 1) OVER (ORDER BY placed), rank() OVER (ORDER BY amount DESC) FROM {table}",
  "SELECT sum(amount) OVER (PARTITION BY customer_id ORDER BY placed ROWS BETWEEN 1 PRECEDING " +
  "AND CURRENT ROW) FROM {table}",
  "SELECT first_value(id) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING), ntile(4) OVER () FROM {table}",
  "SELECT CASE WHEN amount < 0 THEN 'neg' WHEN amount = 0 THEN 'zero' ELSE 'pos' END FROM {table}",
  "SELECT CASE state WHEN 'paid' THEN 1 ELSE 0 END AS paid FROM {table}",
  "SELECT CAST(amount AS CHAR), CAST(amount AS SIGNED), CAST(amount AS DECIMAL(10, 2)), " +
  "CAST(placed AS DATE), CAST(id AS UNSIGNED), CAST(shipped AS DATETIME), CAST(note AS CHAR(10)) " +
  "FROM {table}",
  "SELECT CAST(amount AS DOUBLE), CAST(id AS SIGNED INTEGER), CAST(shipped AS TIME) FROM {table}",
  "SELECT * FROM {table} WHERE placed < DATE_SUB(CURDATE(), INTERVAL 30 DAY)",
  "SELECT * FROM {table} WHERE DATEDIFF(shipped, placed) > 7 OR shipped > NOW()",
  "SELECT * FROM {table} WHERE placed + INTERVAL 1 MONTH > CURRENT_DATE",
  "SELECT EXTRACT(YEAR FROM placed), TIMESTAMPDIFF(DAY, placed, shipped) FROM {table}",
  "SELECT * FROM {table} WHERE placed BETWEEN DATE '2024-01-01' AND '2024-12-31'",
  "SELECT COALESCE(email, 'none'), IFNULL(note, ''), NULLIF(state, ''), IF(amount > 0, 1, 0) " +
  "FROM {table}",
  "SELECT id FROM {table} UNION SELECT id FROM customers",
  "SELECT id FROM {table} UNION ALL SELECT id FROM customers ORDER BY 1 LIMIT 10",
  "SELECT `id`, `ü`, `a``b`, `order` FROM `orders` WHERE `order` IS NOT NULL",
  "SELECT o.`a``b` AS `x y`, `Ünïcödé 名前`.id FROM {table} AS `Ünïcödé 名前` JOIN {table} o USING (id)",
  "SELECT * FROM {table} LIMIT 5",
  "SELECT * FROM {table} LIMIT 5 OFFSET 10",
  "SELECT * FROM {table} LIMIT 10, 5",
  "SELECT DISTINCT state FROM {table} WHERE state LIKE 'p!%%' ESCAPE '!'",
  "SELECT LOWER(TRIM(email)), UPPER(LEFT(state, 1)), LENGTH(note), CONCAT(id, '-', state) " +
  "FROM {table}",
  "SELECT TRIM(LEADING '0' FROM state), REPLACE(email, '@', ' at '), TRUNCATE(amount, 1) " +
  "FROM {table}",
  "SELECT JSON_UNQUOTE(JSON_EXTRACT(payload, '$.a')), JSON_VALID(payload) FROM {table}",
  "SELECT * FROM {table} WHERE id % 2 = 1 AND id DIV 2 > 0 AND id MOD 3 = 0 AND -id < +id",
  "SELECT * FROM {table} WHERE state = 'it''s' OR note = '' OR note = 'a \"q\" -- # /* */'",
  "SELECT id -- a trailing comment\nFROM {table} /* a block comment */ WHERE id > 3",
  "SELECT id FROM {table}\r\nWHERE NOT (id > 3 XOR id < 1) AND (id IS TRUE OR id IS NOT FALSE)",
  "SELECT 1.5e3, 0.25, 42, NULL, TRUE FROM DUAL",
  "WITH x AS (SELECT 1 AS a) SELECT * FROM (WITH y AS (SELECT 2 AS b) SELECT * FROM x, y) z",
];

/**
 * One call of every allowed function (one per line), each valid on MariaDB against the
 * orders table.
 */
export const FUNCTION_EXAMPLES = `
avg(amount) bit_and(id) bit_or(id) bit_xor(id) count(*) max(id) min(id)
stddev(amount) stddev_pop(amount) stddev_samp(amount) sum(amount) var_pop(amount)
var_samp(amount) group_concat(state)
cume_dist() OVER (ORDER BY id)
dense_rank() OVER (ORDER BY id)
first_value(id) OVER (ORDER BY id)
lag(id) OVER (ORDER BY id)
last_value(id) OVER (ORDER BY id)
lead(id, 2) OVER (ORDER BY id)
nth_value(id, 2) OVER (ORDER BY id)
ntile(3) OVER (ORDER BY id)
percent_rank() OVER (ORDER BY id)
rank() OVER (ORDER BY id)
row_number() OVER (ORDER BY id)
ascii(state) bit_length(state) char_length(state) character_length(state)
concat(state, 'x') concat_ws(',', state, email) crc32(state) elt(1, 'a', 'b')
field('b', 'a', 'b') find_in_set('b', 'a,b') format(amount, 2) from_base64('YQ==') hex(id)
instr(email, '@') lcase(state) left(state, 2) length(state) locate('@', email) lower(state)
lpad(state, 10, '.') ltrim(state) md5(state) mid(state, 2, 3) octet_length(state)
ord(state) regexp_instr(email, '@') regexp_replace(email, '@.*', '')
regexp_substr(email, '[a-z]+') repeat('ab', 3) replace(state, 'a', 'b') reverse(state)
right(state, 2) rpad(state, 10, '.') rtrim(state) sha1(state) sha2(state, 256)
soundex(state) space(3) strcmp(state, 'paid') substr(state, 2) substring(state, 2, 3)
substring_index(email, '@', 1) to_base64(state) trim(state) ucase(state) unhex('41')
upper(state)
abs(amount) acos(0.5) asin(0.5) atan(1) atan2(1, 2) ceil(amount) ceiling(amount)
conv(id, 10, 16) cos(1) cot(1) degrees(1) exp(1) floor(amount) ln(2) log(2) log10(100) log2(8)
mod(id, 3) pi() pow(2, 3) power(2, 3) radians(90) rand() round(amount, 1) sign(amount) sin(1)
sqrt(4) tan(1) truncate(amount, 0)
adddate(placed, 1) addtime(shipped, '01:00:00') convert_tz(shipped, '+00:00', '+01:00')
curdate() current_date() current_time() current_timestamp() curtime() date(shipped)
date_add(placed, INTERVAL 1 DAY) date_format(placed, '%Y') date_sub(placed, INTERVAL 1 DAY)
datediff(shipped, placed) day(placed) dayname(placed) dayofmonth(placed) dayofweek(placed)
dayofyear(placed) extract(MONTH FROM placed) from_days(738000) from_unixtime(0) hour(shipped)
last_day(placed) localtime() localtimestamp() makedate(2024, 1) maketime(1, 2, 3)
microsecond(shipped) minute(shipped) month(placed) monthname(placed) now() period_add(202401, 1)
period_diff(202402, 202401) quarter(placed) sec_to_time(60) second(shipped)
str_to_date('2024-01-02', '%Y-%m-%d') subdate(placed, 1) subtime(shipped, '01:00:00') sysdate()
time(shipped) time_format(shipped, '%H') time_to_sec(shipped) timediff(shipped, shipped)
timestamp(placed) timestampadd(DAY, 1, placed) timestampdiff(DAY, placed, shipped)
to_days(placed) to_seconds(placed) unix_timestamp(shipped) utc_date() utc_time()
utc_timestamp() week(placed) weekday(placed) weekofyear(placed) year(placed) yearweek(placed)
coalesce(email, 'x') greatest(id, 2) if(id > 1, 'a', 'b') ifnull(email, 'x') isnull(email)
least(id, 2) nullif(id, 2)
json_array(id, state) json_contains(payload, '1', '$.a') json_contains_path(payload, 'one', '$.a')
json_depth(payload) json_extract(payload, '$.a') json_keys(payload) json_length(payload)
json_object('k', id) json_quote(state) json_search(payload, 'one', 'x') json_type(payload)
json_unquote(payload) json_valid(payload) json_value(payload, '$.a')
cast(id AS CHAR)
`;

/** The examples one by one: each line holds calls separated by a space before a name. */
export function functionExamples(): string[] {
  return FUNCTION_EXAMPLES.trim().split("\n").flatMap((line) =>
    line.includes(" OVER ") ? [line] : line.split(/ (?=[a-z_0-9]+\()/)
  );
}
