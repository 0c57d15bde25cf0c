/**
 * A deterministic 10-column "users" dataset with violations placed by formula, so
 * every count is known by construction. Used by the example, tests and benchmarks.
 * Row i (0-based, global across chunks):
 * - email: NULL when i % 97 == 0; malformed when i % 89 == 0; the previous row's
 *   email (a duplicate) when i % 101 == 0; else `user<i>@example.com`.
 * - country: "XX" (not allowed) when i % 53 == 0, else one of US, DE, FR, JP, BR.
 * - age: NULL when i % 211 == 0; else 18 + i % 60.
 * @module
 */
import pl, { type DataFrame } from "nodejs-polars";

/** Countries the example Kontract allows. */
export const COUNTRIES = ["US", "DE", "FR", "JP", "BR"];

/** Rows [start, start + count) of the users dataset. */
export function usersFrame(start: number, count: number): DataFrame {
  const i = pl.col("user_id");
  const mod = (n: number) => i.modulo(pl.lit(n).cast(pl.Int64));
  const countryIndex = mod(COUNTRIES.length);
  let country = pl.when(mod(53).eq(pl.lit(0).cast(pl.Int64))).then(pl.lit("XX"));
  COUNTRIES.forEach((code, index) => {
    country = country.when(countryIndex.eq(pl.lit(index).cast(pl.Int64))).then(pl.lit(code));
  });
  const is = (n: number) => mod(n).eq(pl.lit(0).cast(pl.Int64));
  const ids = pl.DataFrame({
    user_id: pl.intRange(start, start + count, 1, pl.Int64, true),
  });
  return ids.lazy().withColumns(
    pl.when(is(97)).then(pl.lit(null).cast(pl.Utf8))
      .when(is(89)).then(pl.format("user{}-at-example.com", i))
      .when(is(101)).then(pl.format("user{}@example.com", i.sub(pl.lit(1).cast(pl.Int64))))
      .otherwise(pl.format("user{}@example.com", i)).alias("email"),
    pl.format("User {}", i).alias("name"),
    pl.when(is(211)).then(pl.lit(null).cast(pl.Int32))
      .otherwise(mod(60).add(18).cast(pl.Int32)).alias("age"),
    country.otherwise(pl.lit("US")).alias("country"),
    pl.when(mod(3).eq(pl.lit(0).cast(pl.Int64))).then(pl.lit("inactive"))
      .otherwise(pl.lit("active")).alias("status"),
    mod(3650).cast(pl.Int32).cast(pl.Date).alias("signup_date"),
    mod(1000).cast(pl.Float64).div(10).alias("score"),
    mod(2).eq(pl.lit(0).cast(pl.Int64)).alias("is_active"),
    pl.when(is(7)).then(pl.lit(null).cast(pl.Int64)).otherwise(mod(100_000)).alias("referrer_id"),
  ).collectSync();
}

/** Rows i in [0, rows) with i % n == 0. */
export function multiples(n: number, rows: number): number {
  return rows <= 0 ? 0 : Math.floor((rows - 1) / n) + 1;
}
