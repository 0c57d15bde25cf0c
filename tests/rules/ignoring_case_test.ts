/**
 * `starts_with` / `ends_with` ignoring case read an ASCII value as a regex of the
 * characters that lower-case to each of its characters (literal_text_rule.ts), instead of
 * lower-casing every value: the same answer as lower-casing, shown here over every
 * Unicode character and on text built to trip it.
 */
import pl from "nodejs-polars";
import { assertEquals } from "../support/assert.ts";
import { polarsFoundIgnoringCase } from "../../src/rules/literal_text_rule.ts";

Deno.test("the characters whose lower case starts with ASCII are the ones the regex lists", () => {
  const characters: string[] = [];
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    characters.push(String.fromCodePoint(code));
  }
  const lowered = pl.Series("c", characters).str.toLowerCase().toArray() as string[];
  const single: string[] = [];
  const longer: string[] = [];
  lowered.forEach((lower, index) => {
    const [first, ...rest] = [...lower];
    if (first.codePointAt(0)! > 0x7f) return;
    const source = characters[index];
    if (rest.length > 0) longer.push(source);
    else if (source.toLowerCase() !== source || source.codePointAt(0)! > 0x7f) single.push(source);
  });
  // A-Z, and the Kelvin sign; İ alone lower-cases to an ASCII letter and more.
  assertEquals(single.join(""), "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u212a");
  assertEquals(longer, ["\u0130"]);
});

Deno.test("ignoring case, the regex and lower-casing select the same values", () => {
  const texts = [
    "a@x.COM",
    "a@x.com",
    "a@x.CoM",
    "a@x.coM ",
    ".com",
    "com",
    "",
    "x.\u212aOM",
    "\u0130",
    "\u0130x",
    "i\u0307",
    "\u0130ndex",
    "ındex",
    "İNDEX",
    "Straße.COM",
    "ΣΑΣ.com",
    "kelvin",
    "\u212aelvin",
    "\u212a",
    "KELVIN.",
    "日本.Com",
    "🦆.com",
    "a\nb.com",
    "A.B",
  ];
  const frame = pl.DataFrame({ t: [...texts, null] });
  for (const value of [".com", "com", "i", "in", "k", "kel", "a", "a.b", "%_", ".", "ı"]) {
    for (const position of ["starts", "ends"] as const) {
      const lowered = pl.Series("v", [value]).str.toLowerCase().get(0) as string;
      const text = pl.col("t");
      const plain = position === "starts"
        ? text.str.toLowerCase().str.startsWith(lowered)
        : text.str.toLowerCase().str.endsWith(lowered);
      const selected = frame.select(
        plain.alias("plain"),
        polarsFoundIgnoringCase(text, lowered, position).alias("regex"),
      );
      assertEquals(
        selected.getColumn("regex").toArray(),
        selected.getColumn("plain").toArray(),
        `${position} ${JSON.stringify(value)}`,
      );
    }
  }
});
