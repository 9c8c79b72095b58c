// The in-memory BlobStore fake for unit tests: same contract as the real adapters (it runs the
// shared contract suite), nothing on disk. Presigned links are signed /api/blobs links, like the
// local adapter's.
import { Readable } from 'node:stream';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { assertValidBlobKey, assertValidBlobPrefix } from './blob-keys.ts';
import type {
  BlobListEntry,
  BlobMetadata,
  BlobStore,
  PresignOptions,
  PutOptions,
} from './blob-store.ts';
import type { BlobUrlSigner } from './blob-url-signer.ts';
import { withIntegrity } from './integrity-stream.ts';

interface Entry {
  data: Buffer;
  metadata: BlobMetadata;
}

export class MemoryBlobStore implements BlobStore {
  readonly kind = 'memory' as const;
  private readonly blobs = new Map<string, Entry>();

  constructor(
    private readonly options: { clock: Clock; signer: BlobUrlSigner; presignTtlSeconds: number },
  ) {}

  async init(): Promise<void> {}

  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<BlobMetadata> {
    assertValidBlobKey(key);
    const { stream, integrity } = withIntegrity(body, {
      size: options.contentLength,
      sha256: options.sha256,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const metadata: BlobMetadata = {
      key,
      size: integrity.byteCount,
      contentType: options.contentType,
      originalName: options.originalName,
      sha256: integrity.sha256,
      lastModified: this.options.clock.now().toISOString(),
    };
    this.blobs.set(key, { data: Buffer.concat(chunks), metadata });
    return { ...metadata };
  }

  async get(key: string): Promise<{ body: Readable; metadata: BlobMetadata }> {
    assertValidBlobKey(key);
    const entry = this.blobs.get(key);
    if (!entry) throw new NotFoundError(`No stored file ${key}.`);
    return { body: Readable.from([entry.data]), metadata: { ...entry.metadata } };
  }

  async head(key: string): Promise<BlobMetadata | undefined> {
    assertValidBlobKey(key);
    const entry = this.blobs.get(key);
    return entry ? { ...entry.metadata } : undefined;
  }

  async delete(key: string): Promise<void> {
    assertValidBlobKey(key);
    this.blobs.delete(key);
  }

  async *list(prefix: string): AsyncIterable<BlobListEntry> {
    assertValidBlobPrefix(prefix);
    const keys = [...this.blobs.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of keys) {
      const entry = this.blobs.get(key);
      if (entry) {
        yield {
          key,
          size: entry.metadata.size,
          lastModified: entry.metadata.lastModified ?? '',
        };
      }
    }
  }

  async presignGet(key: string, options: PresignOptions = {}): Promise<string> {
    assertValidBlobKey(key);
    return this.options.signer.sign(
      key,
      options.ttlSeconds ?? this.options.presignTtlSeconds,
      options.downloadName,
    );
  }

  async close(): Promise<void> {}

  /** For tests: how many blobs are stored. */
  get size(): number {
    return this.blobs.size;
  }
}
