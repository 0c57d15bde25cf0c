/**
 * Writes the quickstart's sample data: `examples/users.parquet` and `.csv`, 2,000
 * rows of the users dataset, with NULLs, duplicates, malformed emails and a country
 * outside the allowed list. Run: `deno task gen:example`.
 * @module
 */
import { usersFrame } from "./users_data.ts";

const ROWS = 2_000;
const frame = usersFrame(0, ROWS);
const dir = new URL("../examples/", import.meta.url).pathname;
frame.writeParquet(`${dir}users.parquet`, { compression: "zstd" });
frame.writeCSV(`${dir}users.csv`);
console.log(`wrote ${ROWS} rows to ${dir}users.parquet and users.csv`);
