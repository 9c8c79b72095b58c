// Builds the configured BlobStore. Only the configured adapter is created; the AWS SDK is loaded
// on first use, so the embedded default never pays for it at start-up.
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../config/env.ts';
import type { Clock } from '../../platform/clock.ts';
import type {
  BlobListEntry,
  BlobMetadata,
  BlobStore,
  PresignOptions,
  PutOptions,
} from './blob-store.ts';
import { BlobUrlSigner } from './blob-url-signer.ts';
import { LocalBlobStore } from './local-blob-store.ts';

/** A BlobStore whose adapter is imported on first use. */
class DeferredBlobStore implements BlobStore {
  private instance: Promise<BlobStore> | undefined;

  constructor(
    readonly kind: BlobStore['kind'],
    private readonly load: () => Promise<BlobStore>,
  ) {}

  private store(): Promise<BlobStore> {
    this.instance ??= this.load();
    return this.instance;
  }

  async init() {
    return (await this.store()).init();
  }
  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<BlobMetadata> {
    return (await this.store()).put(key, body, options);
  }
  async get(key: string) {
    return (await this.store()).get(key);
  }
  async head(key: string) {
    return (await this.store()).head(key);
  }
  async delete(key: string) {
    return (await this.store()).delete(key);
  }
  async *list(prefix: string): AsyncIterable<BlobListEntry> {
    yield* (await this.store()).list(prefix);
  }
  async presignGet(key: string, options?: PresignOptions) {
    return (await this.store()).presignGet(key, options);
  }
  async close() {
    if (this.instance) await (await this.instance).close();
  }
}

export function createBlobUrlSigner(config: AppConfig, clock: Clock): BlobUrlSigner {
  return new BlobUrlSigner(config.session.secret, clock);
}

export function createBlobStore(config: AppConfig, clock: Clock): BlobStore {
  const storage = config.storage;
  if (storage.driver === 'local') {
    return new LocalBlobStore({
      root: storage.localDir,
      signer: createBlobUrlSigner(config, clock),
      presignTtlSeconds: storage.presignTtlSeconds,
      clock,
    });
  }
  const s3 = storage.s3;
  return new DeferredBlobStore('s3', async () => {
    const { S3BlobStore } = await import('./s3-blob-store.ts');
    return new S3BlobStore({ config: s3, clock, presignTtlSeconds: storage.presignTtlSeconds });
  });
}
