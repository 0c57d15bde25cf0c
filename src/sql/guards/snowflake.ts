// TEMPORARY adapter while the engine-native guard is written: replaced before commit.
import { checkUserSelect } from "../guard.ts";
import type { UserSqlGuard } from "../user_sql.ts";

export const snowflakeGuard: UserSqlGuard = {
  engine: "Snowflake",
  allowedFunctions: [],
  check: (sql) => Promise.resolve(checkUserSelect(sql, "Snowflake")),
};
