/**
 * ISO dates and timestamps as Kontracts write them: read exactly (to the microsecond,
 * offsets applied, impossible dates refused) and written back in the one form every
 * engine reads.
 */
import {
  formatIsoDate,
  formatIsoTimestamp,
  isProblem,
  readIsoDate,
  readIsoTimestamp,
  utcMicros,
} from "../../src/core/iso_time.ts";
import { assert, assertEquals } from "../support/assert.ts";

const DAY = 86_400_000_000n;

Deno.test("ISO dates: days since 1970, leap years, and no impossible date", () => {
  assertEquals(readIsoDate("1970-01-01"), 0);
  assertEquals(readIsoDate("2024-01-01"), 19723);
  assertEquals(readIsoDate("1969-12-31"), -1);
  assertEquals(readIsoDate("2024-02-29"), 19782);
  assertEquals(readIsoDate("0001-01-01"), -719162);
  assertEquals(readIsoDate("9999-12-31"), 2932896);
  for (
    const text of [
      "2023-02-29",
      "1900-02-29",
      "2024-13-01",
      "2024-00-10",
      "0000-01-01",
      "2024-1-1",
      "2024-01-01T00:00",
    ]
  ) {
    assert(isProblem(readIsoDate(text)), text);
  }
  assert(!isProblem(readIsoDate("2000-02-29")));
  for (const days of [0, -1, 19723, 19782, -719162, 2932896]) {
    assertEquals(readIsoDate(formatIsoDate(days)), days);
  }
});

Deno.test("ISO timestamps: to the microsecond, with offsets read as instants", () => {
  const read = (text: string) => {
    const value = readIsoTimestamp(text);
    if (isProblem(value)) throw new Error(value.problem);
    return value;
  };
  assertEquals(read("1970-01-01"), { wallMicros: 0n });
  assertEquals(read("1970-01-01T00:00:00.000001"), { wallMicros: 1n });
  assertEquals(read("1970-01-01 00:00:00.5"), { wallMicros: 500_000n });
  assertEquals(read("1970-01-02T00:00"), { wallMicros: DAY });
  assertEquals(read("1969-12-31T23:59:59.999999"), { wallMicros: -1n });
  assertEquals(read("1970-01-01T00:00:00Z"), { wallMicros: 0n, offsetMinutes: 0 });
  // 01:00+01:00, 0100+0100 and 02+02 name the same instant: midnight UTC.
  for (
    const text of ["1970-01-01T01:00:00+01:00", "1970-01-01T01:00+0100", "1970-01-01T02:00+02"]
  ) {
    assertEquals(utcMicros(read(text)), 0n, text);
  }
  assertEquals(utcMicros(read("1969-12-31T19:00:00-05:00")), 0n);
  for (
    const text of [
      "2024-01-01T24:00",
      "2024-01-01T23:60",
      "2024-01-01T23:59:60",
      "2024-01-01T00:00:00.0000001",
      "2024-01-01T00:00+19:00",
      "2024-01-01T00:00+05:60",
      "2024-01-01Z",
      "2024-01-01T00",
      "20240101T000000",
      " 2024-01-01",
    ]
  ) {
    assert(isProblem(readIsoTimestamp(text)), text);
  }
  for (const micros of [0n, 1n, -1n, DAY - 1n, 1_706_745_599_999_999n, -62_135_596_800_000_000n]) {
    assertEquals(read(formatIsoTimestamp(micros)).wallMicros, micros);
  }
  assertEquals(formatIsoTimestamp(-1n), "1969-12-31 23:59:59.999999");
  assertEquals(formatIsoTimestamp(1_706_745_599_999_999n), "2024-01-31 23:59:59.999999");
});
