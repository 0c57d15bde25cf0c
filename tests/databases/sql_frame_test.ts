/** Database rows as Polars frames for quarantine files: types kept, values exact. */
import pl from "nodejs-polars";
import { assertEquals } from "../support/assert.ts";
import { asDate, frameOf, frameType } from "../../src/databases/sql_frame.ts";

Deno.test("driver values become a frame typed like the source's schema", () => {
  const frame = frameOf([
    { name: "big", dtype: "Int64", values: ["9007199254740993", null, 5n] },
    { name: "small", dtype: "Int16", values: [1, 2, null] },
    { name: "float", dtype: "Float64", values: ["1.5", 2, null] },
    { name: "flag", dtype: "Bool", values: [true, "f", null] },
    { name: "day", dtype: "Date", values: ["2024-01-02", new Date("2024-03-04"), null] },
    { name: "at", dtype: "Datetime", values: ["2024-01-02 03:04:05.123456", null, "infinity"] },
    { name: "text", dtype: "String", values: ["a", null, "ü"] },
    { name: "amount", dtype: "Decimal", values: ["12.30", null, "1"] },
    { name: "doc", dtype: "Object", values: [{ a: 1n }, [1, 2], new Uint8Array([0, 255])] },
  ]);
  assertEquals(frame.dtypes.map((type) => String(type.variant)), [
    "Int64",
    "Int16",
    "Float64",
    "Bool",
    "Date",
    "Datetime",
    "String",
    "String",
    "String",
  ]);
  const rows = frame.rows();
  // Exact in the frame (rows() would hand it to JavaScript as a lossy number).
  assertEquals(
    frame.getColumn("big").cast(pl.Utf8).toArray(),
    ["9007199254740993", null, "5"],
  );
  assertEquals(rows.map((row) => row[3]), [true, false, null]);
  assertEquals(rows.map((row) => row[7]), ["12.30", null, "1"]);
  assertEquals(rows.map((row) => row[8]), ['{"a":"1"}', "[1,2]", "00ff"]);
  assertEquals((rows[0][5] as Date).toISOString(), "2024-01-02T03:04:05.123Z");
  assertEquals(rows[2][5], null);
  assertEquals(["Int64", "Decimal", "Date", "Time"].map(frameType), [
    "Int64",
    "String",
    "Date",
    "String",
  ]);
});

Deno.test("PostgreSQL's text dates and timestamps read as UTC, offsets honoured", () => {
  assertEquals(asDate("2024-01-02")?.toISOString(), "2024-01-02T00:00:00.000Z");
  assertEquals(asDate("2024-01-02 03:04:05")?.toISOString(), "2024-01-02T03:04:05.000Z");
  assertEquals(asDate("2024-01-02 03:04:05.5+02")?.toISOString(), "2024-01-02T01:04:05.500Z");
  assertEquals(asDate("2024-01-02 03:04:05+0530")?.toISOString(), "2024-01-01T21:34:05.000Z");
  assertEquals(asDate("2024-01-02 03:04:05-03:30")?.toISOString(), "2024-01-02T06:34:05.000Z");
  assertEquals([asDate("infinity"), asDate(42), asDate(new Date(Number.NaN))], [null, null, null]);
});
