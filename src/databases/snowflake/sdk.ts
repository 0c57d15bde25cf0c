/**
 * The npm `snowflake-sdk`, imported only when a snowflake:// source is opened, with
 * cloud platform detection off (it probes metadata addresses at import) and its log
 * file kept out of the working directory.
 * @module
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

type SnowflakeSdk = typeof import("npm:snowflake-sdk@3.3.0");

let sdk: Promise<SnowflakeSdk> | undefined;

/**
 * The driver, loaded on first use. Platform detection is turned off before the import
 * (it probes cloud metadata addresses otherwise); logging is off and its file, should
 * one be written, goes to the temporary directory, never the working directory.
 */
export function loadSnowflakeSdk(): Promise<SnowflakeSdk> {
  sdk ??= (async () => {
    Deno.env.set("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true");
    const module = await import("npm:snowflake-sdk@3.3.0");
    const loaded = ((module as { default?: SnowflakeSdk }).default ?? module) as SnowflakeSdk;
    loaded.configure({
      logLevel: "OFF",
      logFilePath: join(tmpdir(), "kontra-snowflake-sdk.log"),
      additionalLogToConsole: false,
    });
    return loaded;
  })();
  return sdk;
}
