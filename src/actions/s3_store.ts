/**
 * The little of S3 that quarantine needs on top of the S3 source's client
 * (`src/sources/s3_access.ts`): one-shot uploads (a single PUT, or a multipart upload
 * that appears only when completed), listing and downloading. Every request goes through
 * `sendS3` (`src/sources/s3_request.ts`): a deadline per operation (each PUT, each part),
 * retries of 5xx / 429 / network failures within it, listings that must end.
 * @module
 */
import type {
  GetObjectCommandOutput,
  ListObjectsV2CommandOutput,
  S3Client,
} from "@aws-sdk/client-s3";
import { DataSourceError } from "../core/errors.ts";
import { parseS3Uri } from "../sources/s3_location.ts";
import { listPages, sendS3 } from "../sources/s3_request.ts";

/** Files up to this size go up in one PUT; larger ones as a multipart upload. */
const SINGLE_PUT_BYTES = 16 * 1024 * 1024;
/** Multipart part size (S3's minimum is 5 MiB). */
const PART_BYTES = 8 * 1024 * 1024;

/** The bucket and key prefix (ending with `/`, or empty) of an `s3://bucket/prefix` location. */
export function s3Prefix(uri: string): { bucket: string; prefix: string } {
  const location = parseS3Uri(uri);
  if (location.kind === "glob") {
    throw new DataSourceError(`${uri}: a quarantine location cannot be a glob`, 2);
  }
  const { bucket, path } = location;
  return { bucket, prefix: path === "" || path.endsWith("/") ? path : `${path}/` };
}

/** Uploads a local file as one object; it becomes visible only once complete. */
export async function uploadFile(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
  singlePutBytes = SINGLE_PUT_BYTES,
): Promise<void> {
  const sdk = await import("@aws-sdk/client-s3");
  const { size } = await Deno.stat(path);
  if (size <= singlePutBytes) {
    // Bytes, not a stream: a stream would be sent aws-chunked.
    const body = await Deno.readFile(path);
    await sendS3(client, new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return;
  }
  const { UploadId } = await sendS3<{ UploadId?: string }>(
    client,
    new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
  );
  try {
    const parts: { ETag?: string; PartNumber: number }[] = [];
    using file = await Deno.open(path);
    for (let number = 1;; number++) {
      const chunk = await readChunk(file, PART_BYTES);
      if (chunk.length === 0) break;
      const { ETag } = await sendS3<{ ETag?: string }>(
        client,
        new sdk.UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: number,
          Body: chunk,
        }),
      );
      parts.push({ ETag, PartNumber: number });
    }
    await sendS3(
      client,
      new sdk.CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await sendS3(
      client,
      new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }),
    ).catch(() => {});
    throw error;
  }
}

/** Every key under `prefix`, sorted. */
export async function listKeys(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<string[]> {
  const sdk = await import("@aws-sdk/client-s3");
  const keys: string[] = [];
  const pages = listPages<ListObjectsV2CommandOutput>(
    client,
    (token) =>
      new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
  );
  for await (const page of pages) {
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
  }
  return keys.sort();
}

/** Streams one object into a local file. */
export async function downloadFile(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
): Promise<void> {
  const sdk = await import("@aws-sdk/client-s3");
  const { Body } = await sendS3<GetObjectCommandOutput>(
    client,
    new sdk.GetObjectCommand({ Bucket: bucket, Key: key }),
  );
  if (!Body) throw new Error(`s3://${bucket}/${key}: empty response`);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for await (const chunk of Body.transformToWebStream()) {
    for (let written = 0; written < chunk.length;) {
      written += await file.write(chunk.subarray(written));
    }
  }
}

async function readChunk(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}
