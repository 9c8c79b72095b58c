// The embedded default: blobs as files under DATA_DIR/blobs/<key>. A put streams into a temporary
// file in blobs/.tmp, fsyncs it and renames it into place, so a reader sees either the old blob,
// the complete new one, or nothing — never a partial file. Content type, original name and
// SHA-256 go to a JSON sidecar in blobs/.meta (a tree no key can reach: keys never start with a
// dot). Downloads go through the authenticated /api/blobs route with signed, expiring links.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../../platform/clock.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { assertValidBlobKey, assertValidBlobPrefix, isValidBlobKey } from './blob-keys.ts';
import {
  InvalidBlobKeyError,
  type BlobListEntry,
  type BlobMetadata,
  type BlobStore,
  type PresignOptions,
  type PutOptions,
} from './blob-store.ts';
import type { BlobUrlSigner } from './blob-url-signer.ts';
import { withIntegrity } from './integrity-stream.ts';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** Temporary files older than this are left-overs of a crashed process. */
const STALE_TMP_MS = 24 * 3600_000;

interface Sidecar {
  contentType: string;
  originalName?: string | undefined;
  sha256?: string | undefined;
}

export interface LocalBlobStoreOptions {
  /** DATA_DIR/blobs */
  root: string;
  signer: BlobUrlSigner;
  presignTtlSeconds: number;
  clock: Clock;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly root: string;
  private readonly tmpDir: string;
  private readonly metaDir: string;

  constructor(private readonly options: LocalBlobStoreOptions) {
    this.root = path.resolve(options.root);
    this.tmpDir = path.join(this.root, '.tmp');
    this.metaDir = path.join(this.root, '.meta');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await mkdir(this.metaDir, { recursive: true, mode: 0o700 });
    // Left-overs of a process killed mid-upload. Recent ones may belong to a live process
    // sharing DATA_DIR (a worker), so only old ones go.
    const now = this.options.clock.now().getTime();
    for (const name of await readdir(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TMP_MS) await rm(file, { force: true });
    }
  }

  /** The file of a key; the key pattern already rules out escaping, this double-checks it. */
  private contentPath(key: string): string {
    assertValidBlobKey(key);
    const file = path.join(this.root, ...key.split('/'));
    if (!file.startsWith(this.root + path.sep)) {
      throw new InvalidBlobKeyError(`The storage key ${JSON.stringify(key)} is outside the store.`);
    }
    return file;
  }

  /** `~` never occurs in a key, so a sidecar name can never collide with a key's directory. */
  private sidecarPath(key: string): string {
    return path.join(this.metaDir, ...key.split('/')) + '~meta.json';
  }

  private async readSidecar(key: string): Promise<Sidecar> {
    try {
      const parsed = JSON.parse(await readFile(this.sidecarPath(key), 'utf8')) as Partial<Sidecar>;
      return {
        contentType:
          typeof parsed.contentType === 'string' ? parsed.contentType : DEFAULT_CONTENT_TYPE,
        originalName: typeof parsed.originalName === 'string' ? parsed.originalName : undefined,
        sha256: typeof parsed.sha256 === 'string' ? parsed.sha256 : undefined,
      };
    } catch (err) {
      if (isMissing(err) || err instanceof SyntaxError)
        return { contentType: DEFAULT_CONTENT_TYPE };
      throw err;
    }
  }

  async put(key: string, body: Readable | Buffer, options: PutOptions): Promise<BlobMetadata> {
    const target = this.contentPath(key);
    const sidecar = this.sidecarPath(key);
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.tmpDir, randomUUID());
    const tmpSidecar = `${tmp}~meta.json`;
    const { stream, integrity } = withIntegrity(body, {
      size: options.contentLength,
      sha256: options.sha256,
    });
    try {
      await pipeline(stream, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      const meta: Sidecar = {
        contentType: options.contentType,
        originalName: options.originalName,
        sha256: integrity.sha256,
      };
      await writeFile(tmpSidecar, JSON.stringify(meta), { mode: 0o600 });
      await mkdir(path.dirname(sidecar), { recursive: true });
      await rename(tmpSidecar, sidecar);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      const info = await stat(target);
      return {
        key,
        size: integrity.byteCount,
        contentType: meta.contentType,
        originalName: meta.originalName,
        sha256: meta.sha256,
        lastModified: info.mtime.toISOString(),
      };
    } catch (err) {
      stream.destroy();
      await rm(tmp, { force: true });
      await rm(tmpSidecar, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<{ body: Readable; metadata: BlobMetadata }> {
    const file = this.contentPath(key);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if (isMissing(err)) throw new NotFoundError(`No stored file ${key}.`);
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new NotFoundError(`No stored file ${key}.`);
      const meta = await this.readSidecar(key);
      const metadata: BlobMetadata = {
        key,
        size: info.size,
        ...meta,
        lastModified: info.mtime.toISOString(),
      };
      return { body: handle.createReadStream(), metadata };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async head(key: string): Promise<BlobMetadata | undefined> {
    const file = this.contentPath(key);
    const info = await stat(file).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    if (!info?.isFile()) return undefined;
    return {
      key,
      size: info.size,
      ...(await this.readSidecar(key)),
      lastModified: info.mtime.toISOString(),
    };
  }

  async delete(key: string): Promise<void> {
    const file = this.contentPath(key);
    const sidecar = this.sidecarPath(key);
    await rm(file, { force: true });
    await rm(sidecar, { force: true });
    await this.pruneEmptyDirs(path.dirname(file), this.root);
    await this.pruneEmptyDirs(path.dirname(sidecar), this.metaDir);
  }

  /** Remove directories left empty by a delete, up to (not including) stop. */
  private async pruneEmptyDirs(dir: string, stop: string): Promise<void> {
    let current = dir;
    while (current.startsWith(stop + path.sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop here
      }
      current = path.dirname(current);
    }
  }

  async *list(prefix: string): AsyncIterable<BlobListEntry> {
    assertValidBlobPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const baseKey = slash === -1 ? '' : prefix.slice(0, slash);
    const baseDir = baseKey === '' ? this.root : path.join(this.root, ...baseKey.split('/'));
    const keys: string[] = [];
    await this.collect(baseDir, baseKey, prefix, keys);
    // Byte-wise key order, as S3 lists (keys are ASCII).
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      const info = await stat(path.join(this.root, ...key.split('/'))).catch(() => undefined);
      if (info?.isFile()) {
        yield { key, size: info.size, lastModified: info.mtime.toISOString() };
      }
    }
  }

  private async collect(dir: string, dirKey: string, prefix: string, out: string[]) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const entry of entries) {
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      // Skips .tmp, .meta and anything else no key could name.
      if (!isValidBlobKey(key)) continue;
      if (entry.isDirectory()) {
        // Descend only where keys can still start with prefix.
        const asDir = `${key}/`;
        if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) {
          await this.collect(path.join(dir, entry.name), key, prefix, out);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        out.push(key);
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

  async close(): Promise<void> {
    // Nothing held open.
  }
}
