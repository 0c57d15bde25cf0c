/**
 * The S3 operations Kontra sends itself: listing, HEAD, ranged and whole reads,
 * downloads, one-shot uploads (a single PUT, or a multipart upload that appears only
 * when completed) and deletes. Every request goes through `sendS3` (`s3_request.ts`): a
 * deadline per operation (each PUT, each part), retries of 5xx / 429 / network failures
 * within it, listings that must end. Failures are `S3Failure`s; `s3.ts` puts them into
 * words.
 * @module
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "npm:@aws-sdk/client-s3@3.1175.0";
import { listPages, sendS3 } from "./s3_request.ts";

/** Files up to this size go up in one PUT; larger ones as a multipart upload. */
const SINGLE_PUT_BYTES = 16 * 1024 * 1024;
/** Multipart part size (S3's minimum is 5 MiB). */
const PART_BYTES = 8 * 1024 * 1024;

/** One listed or HEADed object. */
export interface S3ObjectInfo {
  key: string;
  size: number;
  etag: string;
  mtimeMs?: number;
}

/** Every object under `prefix`, in the order S3 lists them (key order). */
export async function listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<S3ObjectInfo[]> {
  const objects: S3ObjectInfo[] = [];
  // One deadline for all pages; a repeated token or too many pages end it.
  const pages = listPages<ListObjectsV2CommandOutput>(
    client,
    (token) =>
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
  );
  for await (const page of pages) {
    for (const item of page.Contents ?? []) {
      if (!item.Key) continue;
      objects.push({
        key: item.Key,
        size: item.Size ?? 0,
        etag: item.ETag ?? "",
        mtimeMs: item.LastModified?.getTime(),
      });
    }
  }
  return objects;
}

/** Every key under `prefix`, sorted. */
export async function listKeys(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<string[]> {
  return (await listObjects(client, bucket, prefix)).map((object) => object.key).sort();
}

/** One object's size, ETag and modification time. */
export async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<S3ObjectInfo> {
  const head = await sendS3<HeadObjectCommandOutput>(
    client,
    new HeadObjectCommand({ Bucket: bucket, Key: key }),
  );
  return {
    key,
    size: head.ContentLength ?? 0,
    etag: head.ETag ?? "",
    mtimeMs: head.LastModified?.getTime(),
  };
}

/**
 * Bytes `start` to `end` (exclusive), with an explicit `bytes=a-b` (some servers answer
 * suffix ranges wrongly); the body is read within the same attempt and deadline.
 */
export async function readRange(
  client: S3Client,
  bucket: string,
  key: string,
  start: number,
  end: number,
): Promise<Uint8Array> {
  return await sendS3<GetObjectCommandOutput, Uint8Array>(
    client,
    new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
    { consume: (output) => output.Body!.transformToByteArray() },
  );
}

/** The whole object as a stream (the request within its deadline, the body after). */
export async function objectStream(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<ReadableStream<Uint8Array>> {
  const { Body } = await sendS3<GetObjectCommandOutput>(
    client,
    new GetObjectCommand({ Bucket: bucket, Key: key }),
  );
  if (!Body) throw new Error("empty response");
  return Body.transformToWebStream();
}

/** Streams one object into a new local file, readable by the owner only. */
export async function downloadFile(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
): Promise<void> {
  const body = await objectStream(client, bucket, key);
  const output = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  await body.pipeTo(output.writable);
}

/** Removes one object (S3 answers a missing key with success too). */
export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  await sendS3(client, new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** Uploads a local file as one object; it becomes visible only once complete. */
export async function uploadFile(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
  singlePutBytes = SINGLE_PUT_BYTES,
): Promise<void> {
  const { size } = await Deno.stat(path);
  if (size <= singlePutBytes) {
    // Bytes, not a stream: a stream would be sent aws-chunked.
    const body = await Deno.readFile(path);
    await sendS3(client, new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return;
  }
  const { UploadId } = await sendS3<{ UploadId?: string }>(
    client,
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
  );
  try {
    const parts: { ETag?: string; PartNumber: number }[] = [];
    using file = await Deno.open(path);
    for (let number = 1;; number++) {
      const chunk = await readChunk(file, PART_BYTES);
      if (chunk.length === 0) break;
      const { ETag } = await sendS3<{ ETag?: string }>(
        client,
        new UploadPartCommand({
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
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    await sendS3(client, new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
      .catch(() => {});
    throw error;
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
