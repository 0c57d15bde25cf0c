/**
 * core/dtypes.ts: the one list of Polars type names, its families and predicates, and
 * `coerceLiteral` across every family, with text read as Polars' own cast reads it.
 * @module
 */
import pl from "nodejs-polars";
import {
  BIGINT_INTEGERS,
  coerceLiteral,
  comparisonOf,
  DTYPES,
  dtypeSet,
  familyOf,
  FIXED_WIDTH_TYPES,
  integerBits,
  INTEGERS_64,
  isFloat,
  isInteger,
  isStoredText,
  isText,
  type ListedValue,
  NUMBERS,
  polarsName,
} from "../../src/core/dtypes.ts";
import { polarsColumns } from "../../src/core/polars_types.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("every name belongs to exactly one family, and nodejs-polars' names map onto them", () => {
  assertEquals(new Set(DTYPES).size, DTYPES.length);
  for (const name of DTYPES) assert(familyOf(name) !== undefined, name);
  assertEquals(familyOf("Enum"), "text");
  assertEquals(familyOf("Array"), "nested");
  assertEquals(familyOf("Unknown"), undefined);
  assertEquals(familyOf("constructor"), undefined);
  assertEquals(polarsName("FixedSizeList"), "Array");
  assertEquals(polarsName("Int64"), "Int64");
  // Every variant nodejs-polars reports for the columns Kontra builds is a known name.
  const frame = pl.DataFrame([
    pl.Series("a", [[1, 2]]).cast(pl.FixedSizeList(pl.Int64, 2)),
    pl.Series("c", ["x"]).cast(pl.Categorical),
    pl.Series("d", ["1.5"]).cast(pl.Decimal(10, 2)),
    pl.Series("u", [1]).cast(pl.UInt16),
  ]);
  assertEquals(polarsColumns(frame).map((column) => column.dtype), [
    "Array",
    "Categorical",
    "Decimal",
    "UInt16",
  ]);
});

Deno.test("predicates and sets", () => {
  const table: [string, boolean, boolean, boolean, boolean, boolean][] = [
    // dtype, isInteger, isFloat, isText, isStoredText, fixed width
    ["Int8", true, false, false, false, true],
    ["UInt128", true, false, false, false, true],
    ["Float32", false, true, false, false, true],
    ["Decimal", false, false, false, false, false],
    ["String", false, false, true, true, false],
    ["Utf8", false, false, true, true, false],
    ["Categorical", false, false, true, false, false],
    ["Enum", false, false, true, false, false],
    ["Bool", false, false, false, false, true],
    ["Duration", false, false, false, false, true],
    ["List", false, false, false, false, false],
    ["Boolean", false, false, false, false, false], // not Polars' name
  ];
  for (const [dtype, ...expected] of table) {
    const actual = [isInteger, isFloat, isText, isStoredText, FIXED_WIDTH_TYPES.test]
      .map((test) => test(dtype));
    assertEquals(actual, expected, dtype);
  }
  assertEquals(integerBits("UInt32"), 32);
  assertEquals(integerBits("Float64"), undefined);
  assertEquals(INTEGERS_64.names.length, 8);
  assertEquals(BIGINT_INTEGERS.names, [
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
  ]);
  assert(NUMBERS.test("Decimal") && !NUMBERS.test("String"));
  const set = dtypeSet(INTEGERS_64, "Date");
  assert(set.test("Date") && set.test("UInt64") && !set.test("Int128"));
});

Deno.test("coerceLiteral reads a value against every family", () => {
  const none = undefined;
  const cases: [ListedValue, string, ListedValue | undefined][] = [
    // text: each value's text
    [20, "String", "20"],
    [true, "Enum", "true"],
    ["x", "Categorical", "x"],
    // integers: integral numbers within range, decimal notation only
    ["30", "Int64", 30],
    ["1e1", "Int32", 10],
    [-0, "Int16", 0],
    [1.5, "Int64", none],
    [" 40", "Int64", none],
    ["0x10", "Int64", none],
    ["abc", "Int64", none],
    [true, "Int64", none],
    [128, "Int8", none],
    [-129, "Int8", none],
    [-128, "Int8", -128],
    [-1, "UInt8", none],
    [255, "UInt8", 255],
    [2 ** 53, "Int64", none], // beyond JS's exact integers
    [Number.MAX_SAFE_INTEGER, "UInt64", Number.MAX_SAFE_INTEGER],
    ["inf", "Int64", none],
    ["NaN", "UInt32", none],
    // floats: as Polars casts text to Float64
    ["1.5", "Float64", 1.5],
    [".5", "Float32", 0.5],
    ["1.", "Float64", 1],
    ["+1E2", "Float64", 100],
    ["-0", "Float64", 0],
    ["1e309", "Float64", none], // no float equals it (Polars' cast would say inf)
    ["-1e309", "Float64", none],
    [1e309, "Float64", Infinity], // a YAML number beyond the range is already Infinity
    ["1e-400", "Float64", 0],
    ["Infinity", "Float64", Infinity],
    ["-Infinity", "Float64", -Infinity],
    ["+inf", "Float64", Infinity],
    ["INF", "Float64", Infinity],
    ["-inf", "Float32", -Infinity],
    ["NaN", "Float64", NaN],
    ["-nan", "Float64", NaN],
    [Infinity, "Float64", Infinity],
    ["1_000", "Float64", none],
    [" 1", "Float64", none],
    ["infinit", "Float64", none],
    [false, "Float64", none],
    // decimals: finite numbers only
    ["2.5", "Decimal", 2.5],
    ["NaN", "Decimal", none],
    ["inf", "Decimal", none],
    ["1e309", "Decimal", none],
    // booleans
    [true, "Bool", true],
    ["false", "Bool", false],
    ["yes", "Bool", none],
    [1, "Bool", none],
    // everything else by its text form
    ["2024-01-01", "Date", "2024-01-01"],
    [3, "Datetime", "3"],
    [7, "Int128", "7"],
    ["12:00:00", "Time", "12:00:00"],
  ];
  for (const [value, dtype, expected] of cases) {
    assertEquals(coerceLiteral(value, dtype), expected, `${JSON.stringify(value)} on ${dtype}`);
  }
});

Deno.test("coerceLiteral reads float text as Polars casts it, overflow aside", () => {
  const texts = [
    "inf",
    "-Infinity",
    "+inf",
    "NaN",
    "-nan",
    "1.",
    ".5",
    "+1.5",
    "1E2",
    "-0",
    "1e-400",
    " 1",
    "1 ",
    "0x10",
    "1_000",
    "infinit",
    "",
  ];
  const cast = pl.Series("t", texts).cast(pl.Float64, false).toArray();
  texts.forEach((text, index) => {
    const polars = cast[index] === null ? undefined : cast[index] + 0;
    assertEquals(coerceLiteral(text, "Float64"), polars, JSON.stringify(text));
  });
  // The one departure: Polars reads text beyond the float range as an infinity.
  assertEquals(pl.Series("t", ["1e309"]).cast(pl.Float64, false).toArray(), [Infinity]);
  assertEquals(coerceLiteral("1e309", "Float64"), undefined);
});

Deno.test("comparisonOf names one comparison per family", () => {
  const table: Record<string, string> = {
    Utf8: "text",
    Enum: "text",
    UInt64: "integer",
    Int128: "column_text",
    Float32: "float",
    Decimal: "decimal",
    Bool: "boolean",
    Date: "column_text",
    Object: "column_text",
  };
  for (const [dtype, comparison] of Object.entries(table)) {
    assertEquals(comparisonOf(dtype), comparison, dtype);
  }
});
