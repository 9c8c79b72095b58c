// A real S3 server for tests: Ceph RGW started by scripts/s3-radosgw.sh (or anything
// S3-compatible at TEST_S3_ENDPOINT). Each test gets its own bucket. When the server does not
// answer, S3 tests are skipped with the reason printed — except with CI=true, where they fail.
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { S3StorageConfig } from '../../src/config/env.ts';
import { S3BlobStore } from '../../src/infra/storage/s3-blob-store.ts';
import { systemClock, type Clock } from '../../src/platform/clock.ts';

export const TEST_S3_ENDPOINT = process.env.TEST_S3_ENDPOINT ?? 'http://127.0.0.1:7480';
const ACCESS_KEY_ID = process.env.TEST_S3_ACCESS_KEY_ID ?? 'DEVACCESSKEY';
const SECRET_ACCESS_KEY = process.env.TEST_S3_SECRET_ACCESS_KEY ?? 'DEVSECRETKEY0123456789';

let availability: Promise<boolean> | undefined;

async function probe(): Promise<boolean> {
  try {
    // Any HTTP answer (radosgw answers / anonymously) means an S3 server is listening.
    await fetch(TEST_S3_ENDPOINT, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether S3 tests can run. Use at the top of a test file:
 *   const s3 = await s3Available();  describe.runIf(s3)(…)
 * Throws with CI=true when the server does not answer.
 */
export async function s3Available(): Promise<boolean> {
  availability ??= probe();
  const ok = await availability;
  if (!ok) {
    const reason = `S3 (Ceph RGW) is not reachable at ${TEST_S3_ENDPOINT}; start it with scripts/s3-radosgw.sh or set TEST_S3_ENDPOINT`;
    if (process.env.CI === 'true') throw new Error(`${reason}. CI=true: S3 tests must run in CI.`);
    console.warn(`${reason}. S3 tests are skipped.`);
  }
  return ok;
}

/** A bucket name no other test (or test run) uses. */
export function uniqueBucketName(prefix = 'sb-test'): string {
  return `${prefix}-${process.pid}-${randomBytes(5).toString('hex')}`.toLowerCase();
}

export function testS3Config(bucket: string): S3StorageConfig {
  return {
    endpoint: TEST_S3_ENDPOINT,
    region: 'us-east-1',
    bucket,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    forcePathStyle: true,
    createBucket: true,
  };
}

/** The environment that makes the application use S3 with this bucket (for buildTestApp). */
export function testS3Env(bucket: string): Record<string, string> {
  return {
    STORAGE: 's3',
    S3_ENDPOINT: TEST_S3_ENDPOINT,
    S3_REGION: 'us-east-1',
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

export interface TestBucket {
  store: S3BlobStore;
  bucket: string;
  /** Objects in the bucket, for "nothing was left behind" assertions. */
  objectKeys(): Promise<string[]>;
  /** Multipart uploads still open (an aborted upload must leave none). */
  openMultipartUploads(): Promise<string[]>;
  /** Empty and delete the bucket, close the client. */
  destroy(): Promise<void>;
}

/** A fresh bucket (created through the adapter's own init) and a store on it. */
export async function createTestBucket(
  options: { clock?: Clock; presignTtlSeconds?: number; listPageSize?: number } = {},
): Promise<TestBucket> {
  const bucket = uniqueBucketName();
  const store = new S3BlobStore({
    config: testS3Config(bucket),
    clock: options.clock ?? systemClock,
    presignTtlSeconds: options.presignTtlSeconds ?? 300,
    ...(options.listPageSize ? { listPageSize: options.listPageSize } : {}),
  });
  await store.init();
  return bucketHandle(store);
}

/** Helpers around an existing store's bucket (e.g. the one an application created). */
export function bucketHandle(store: S3BlobStore): TestBucket {
  const { client, bucket } = store;
  const objectKeys = async () => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  };
  const openMultipartUploads = async () => {
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (out.Uploads ?? []).map((u) => `${u.Key ?? ''}:${u.UploadId ?? ''}`);
  };
  return {
    store,
    bucket,
    objectKeys,
    openMultipartUploads,
    async destroy() {
      try {
        const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
        for (const u of uploads.Uploads ?? []) {
          await client.send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
          );
        }
        const keys = await objectKeys();
        for (let i = 0; i < keys.length; i += 1000) {
          await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
            }),
          );
        }
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      } finally {
        await store.close();
      }
    },
  };
}
