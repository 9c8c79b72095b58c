// The scale-out adapter: any S3-compatible store (AWS S3, MinIO, Ceph RGW) through
// @aws-sdk/client-s3. Streams of unknown length go up as multipart uploads (@aws-sdk/lib-storage):
// radosgw, among others, refuses a streaming PUT without Content-Length. A body that fails
// part-way aborts the multipart upload, so nothing is left behind. Presigned GET URLs carry the
// configured TTL and, when asked, a Content-Disposition for the download name.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { S3StorageConfig } from '../../config/env.ts';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError, ServiceUnavailableError } from '../../platform/errors.ts';
import { assertValidBlobKey, assertValidBlobPrefix } from './blob-keys.ts';
import {
  BlobIntegrityError,
  type BlobListEntry,
  type BlobMetadata,
  type BlobStore,
  type PresignOptions,
  type PutOptions,
} from './blob-store.ts';
import { attachmentDisposition } from './content-disposition.ts';
import { sha256Hex, withIntegrity } from './integrity-stream.ts';

/** Multipart part size and parallelism: at most PART_SIZE * QUEUE_SIZE buffered per upload. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const META_SHA256 = 'sha256';
const META_ORIGINAL_NAME = 'original-name';

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(err: unknown): number | undefined {
  return (err as AwsError | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as AwsError | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404;
}

/** User metadata travels in HTTP headers: keep it ASCII. */
function encodeName(name: string): string {
  return encodeURIComponent(name);
}

function decodeName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface S3BlobStoreOptions {
  config: S3StorageConfig;
  clock: Clock;
  presignTtlSeconds: number;
  /** Keys per ListObjectsV2 page (default 1000, the S3 maximum); tests page with less. */
  listPageSize?: number;
}

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;

  constructor(private readonly options: S3BlobStoreOptions) {
    const { config } = options;
    this.bucket = config.bucket;
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Checksums only where the API requires them: S3-compatible stores other than AWS
      // (radosgw) reject the newer default trailing checksums on streaming bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async init(): Promise<void> {
    const { config } = this.options;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (!isNotFound(err)) {
        throw new ServiceUnavailableError(
          `Cannot reach S3 bucket ${this.bucket} at ${config.endpoint}: ${describe(err)}`,
        );
      }
    }
    if (!config.createBucket) {
      throw new ServiceUnavailableError(
        `S3 bucket ${this.bucket} does not exist at ${config.endpoint}; create it or set S3_CREATE_BUCKET=true.`,
      );
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const name = (err as AwsError).name;
      // Another instance starting at the same time created it first.
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
  }

  private metadataFor(options: PutOptions, sha256: string | undefined): Record<string, string> {
    const metadata: Record<string, string> = {};
    if (sha256) metadata[META_SHA256] = sha256.toLowerCase();
    if (options.originalName !== undefined) {
      metadata[META_ORIGINAL_NAME] = encodeName(options.originalName);
    }
    return metadata;
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<BlobMetadata> {
    assertValidBlobKey(key);
    if (Buffer.isBuffer(body)) return this.putBuffer(key, body, options);
    const { stream, integrity } = withIntegrity(body, {
      size: options.contentLength,
      sha256: options.sha256,
    });
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: stream,
        ContentType: options.contentType,
        Metadata: this.metadataFor(options, options.sha256),
      },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      stream.destroy();
      // The body's own error (a validating transform, the client going away) is the one that
      // explains the failure; lib-storage may wrap or replace it.
      throw integrity.errored ?? err;
    }
    return {
      key,
      size: integrity.byteCount,
      contentType: options.contentType,
      originalName: options.originalName,
      sha256: integrity.sha256,
      lastModified: this.options.clock.now().toISOString(),
    };
  }

  private async putBuffer(key: string, body: Buffer, options: PutOptions): Promise<BlobMetadata> {
    const sha256 = sha256Hex(body);
    if (options.contentLength !== undefined && options.contentLength !== body.length) {
      throw new BlobIntegrityError(
        `The body is ${body.length} bytes, not the announced ${options.contentLength}; nothing was stored.`,
      );
    }
    if (options.sha256 !== undefined && options.sha256.toLowerCase() !== sha256) {
      throw new BlobIntegrityError(
        'The body does not match the announced SHA-256; nothing was stored.',
      );
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: options.contentType,
        Metadata: this.metadataFor(options, sha256),
      }),
    );
    return {
      key,
      size: body.length,
      contentType: options.contentType,
      originalName: options.originalName,
      sha256,
      lastModified: this.options.clock.now().toISOString(),
    };
  }

  private toMetadata(
    key: string,
    out: {
      ContentLength?: number | undefined;
      ContentType?: string | undefined;
      Metadata?: Record<string, string> | undefined;
      LastModified?: Date | undefined;
    },
  ): BlobMetadata {
    return {
      key,
      size: out.ContentLength ?? 0,
      contentType: out.ContentType ?? 'application/octet-stream',
      originalName: decodeName(out.Metadata?.[META_ORIGINAL_NAME]),
      sha256: out.Metadata?.[META_SHA256],
      lastModified: out.LastModified?.toISOString(),
    };
  }

  async get(key: string): Promise<{ body: Readable; metadata: BlobMetadata }> {
    assertValidBlobKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) {
        throw new Error('S3 GetObject returned a body that is not a Node.js stream');
      }
      return { body: out.Body, metadata: this.toMetadata(key, out) };
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError(`No stored file ${key}.`);
      throw err;
    }
  }

  async head(key: string): Promise<BlobMetadata | undefined> {
    assertValidBlobKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return this.toMetadata(key, out);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidBlobKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<BlobListEntry> {
    assertValidBlobPrefix(prefix);
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.options.listPageSize ?? 1000 },
      { Bucket: this.bucket, ...(prefix ? { Prefix: prefix } : {}) },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key,
          size: object.Size ?? 0,
          lastModified: (object.LastModified ?? new Date(0)).toISOString(),
        };
      }
    }
  }

  async presignGet(key: string, options: PresignOptions = {}): Promise<string> {
    assertValidBlobKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(options.downloadName !== undefined
        ? { ResponseContentDisposition: attachmentDisposition(options.downloadName) }
        : {}),
      ...(options.contentType !== undefined ? { ResponseContentType: options.contentType } : {}),
    });
    return getSignedUrl(this.client, command, {
      expiresIn: options.ttlSeconds ?? this.options.presignTtlSeconds,
      signingDate: this.options.clock.now(),
    });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${err.name} ${code}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
