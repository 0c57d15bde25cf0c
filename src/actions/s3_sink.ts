/**
 * Quarantine into S3: the S3 case of `openStorageSink` (`quarantine_sink.ts`), kept
 * under the name `quarantine.ts` loads until it opens every sink through
 * `openStorageSink`. Files are staged locally, then each goes up as one object that S3
 * shows only once complete, `_manifest.json` last; nothing is deleted.
 * @module
 */
import type { Environment } from "../core/environment.ts";
import { openStorageSink, type QuarantineSink } from "./quarantine_sink.ts";

/** Run prefixes under `s3://bucket/prefix/<kontract>/`. */
export const S3Sink = {
  /** A sink for `s3://bucket/prefix/`, with credentials from `env`. */
  open(location: string, kontractName: string, env: Environment): Promise<QuarantineSink> {
    return openStorageSink(location, { name: kontractName, baseDir: ".", env });
  },
};
