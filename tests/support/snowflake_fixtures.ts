/**
 * The local Snowflake-protocol server (snowflake_server.ts) set up for Kontra's sources:
 * a `KONTRA.PUBLIC` database, tables loaded from Parquet, and the environment a
 * Kontract needs to log in (`SNOWFLAKE_USER`, `SNOWFLAKE_PASSWORD`, `SNOWFLAKE_ACCESS_URL`).
 * @module
 */
import type { Environment } from "../../src/core/environment.ts";
import { type SnowflakeTestServer, startSnowflakeServer } from "./snowflake_server.ts";

/** A running server with the `KONTRA.PUBLIC` schema. */
export interface TestSnowflake {
  server: SnowflakeTestServer;
  /** Credentials and the endpoint, as a Kontract's environment. */
  env: Environment;
  /** `snowflake://kontra_test/KONTRA/PUBLIC/<table>?warehouse=TEST_WH`. */
  tableUri(table: string): string;
  /** `snowflake://kontra_test/KONTRA/PUBLIC?warehouse=TEST_WH`, for `query:` datasources. */
  schemaUri: string;
  /** Creates `KONTRA.PUBLIC.<table>` from a Parquet file (column names and types kept). */
  loadParquet(table: string, path: string): Promise<void>;
}

/** Runs `fn` with a fresh server, closed afterwards. */
export async function withSnowflake<T>(fn: (sf: TestSnowflake) => Promise<T>): Promise<T> {
  const server = await startSnowflakeServer();
  try {
    await server.createDatabase("KONTRA", "PUBLIC");
    const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
    return await fn({
      server,
      env: {
        SNOWFLAKE_USER: server.user,
        SNOWFLAKE_PASSWORD: server.password,
        SNOWFLAKE_ACCESS_URL: server.accessUrl,
      },
      tableUri: (table) =>
        `snowflake://${server.account}/KONTRA/PUBLIC/${
          encodeURIComponent(table)
        }?warehouse=TEST_WH`,
      schemaUri: `snowflake://${server.account}/KONTRA/PUBLIC?warehouse=TEST_WH`,
      loadParquet: async (table, path) => {
        await server.db.run(
          `CREATE TABLE "KONTRA"."PUBLIC".${quote(table)} AS SELECT * FROM read_parquet('${
            path.replaceAll("'", "''")
          }')`,
        );
      },
    });
  } finally {
    await server.close();
  }
}
