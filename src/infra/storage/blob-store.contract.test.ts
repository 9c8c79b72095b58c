// One contract for every BlobStore adapter: the in-memory fake, local files and S3 (a real Ceph
// RGW; skipped locally when it is not running, required with CI=true). Presigned links are
// fetched the way a browser would: S3 URLs with plain fetch, local links through the
// application's authenticated /api/blobs route.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { createDeps } from '../../container.ts';
import { FakeClock } from '../../platform/clock.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { testConfig } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { createTestBucket, s3Available } from '../../../test/helpers/s3.ts';
import { createTestDatabase } from '../../../test/helpers/test-db.ts';
import { BlobIntegrityError, InvalidBlobKeyError, type BlobStore } from './blob-store.ts';
import { createBlobUrlSigner } from './create-blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { MemoryBlobStore } from './memory-blob-store.ts';

interface Fetched {
  status: number;
  body: Buffer;
  header(name: string): string | undefined;
}

interface Harness {
  store: BlobStore;
  clock: FakeClock;
  /** GET a presigned link as a logged-in browser would. */
  fetchLink(url: string): Promise<Fetched>;
  /** Files a local store left in its temporary folder (none for other stores). */
  leftovers(): string[];
  close(): Promise<void>;
}

type AdapterName = 'memory' | 'local' | 's3';

/** The real application around a local or in-memory store, to follow its signed links. */
async function appHarness(kind: 'memory' | 'local'): Promise<Harness> {
  const clock = new FakeClock(new Date());
  const db = await createTestDatabase('sqlite');
  const config = testConfig({ DATABASE_URL: db.url });
  const signer = createBlobUrlSigner(config, clock);
  const store =
    kind === 'memory'
      ? new MemoryBlobStore({ clock, signer, presignTtlSeconds: 300 })
      : new LocalBlobStore({
          root: path.join(config.dataDir, 'blobs'),
          signer,
          presignTtlSeconds: 300,
          clock,
        });
  await store.init();
  const deps = createDeps(config, {
    database: db.handle,
    logger: pino({ level: 'silent' }),
    clock,
    blobs: store,
  });
  const app = await buildApp(deps);
  await app.ready();
  const user = await createUser(deps);
  const client = new TestClient(app);
  expect((await client.login(user.email, user.password)).statusCode).toBe(200);
  return {
    store,
    clock,
    async fetchLink(url) {
      const res = await client.get(url);
      return {
        status: res.statusCode,
        body: res.rawPayload,
        header: (name) => {
          const value = res.headers[name.toLowerCase()];
          return value === undefined ? undefined : String(value);
        },
      };
    },
    leftovers: () =>
      kind === 'local' ? readdirSync(path.join(config.dataDir, 'blobs', '.tmp')) : [],
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

async function s3Harness(): Promise<Harness> {
  const clock = new FakeClock(new Date());
  const bucket = await createTestBucket({ clock });
  return {
    store: bucket.store,
    clock,
    async fetchLink(url) {
      const res = await fetch(url);
      return {
        status: res.status,
        body: Buffer.from(await res.arrayBuffer()),
        header: (name) => res.headers.get(name) ?? undefined,
      };
    },
    leftovers: () => [],
    close: () => bucket.destroy(),
  };
}

const adapters: AdapterName[] = [
  'memory',
  'local',
  ...((await s3Available()) ? ['s3' as const] : []),
];

/** A deterministic body of `size` bytes in 64 KiB chunks, with its SHA-256. */
function generatedBody(size: number): { stream: () => Readable; sha256: string } {
  const block = randomBytes(64 * 1024);
  const chunks = function* () {
    for (let offset = 0, i = 0; offset < size; offset += block.length, i++) {
      const chunk = Buffer.from(block.subarray(0, Math.min(block.length, size - offset)));
      chunk.writeUInt32LE(i, 0);
      yield chunk;
    }
  };
  const hash = createHash('sha256');
  for (const chunk of chunks()) hash.update(chunk);
  return { stream: () => Readable.from(chunks()), sha256: hash.digest('hex') };
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keysOf(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of store.list(prefix)) keys.push(entry.key);
  return keys;
}

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe.each(adapters)('BlobStore contract: %s', (adapter) => {
  let h: Harness;
  let store: BlobStore;

  beforeAll(async () => {
    h = adapter === 's3' ? await s3Harness() : await appHarness(adapter);
    store = h.store;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('puts a buffer and gets it back with its metadata', async () => {
    const data = Buffer.from('concept,skill\nfractions,adding\n');
    const put = await store.put('contract/put/a.csv', data, {
      contentType: 'text/csv; charset=utf-8',
      originalName: 'Brüche "Übung" 1.csv',
    });
    expect(put).toMatchObject({
      key: 'contract/put/a.csv',
      size: data.length,
      contentType: 'text/csv; charset=utf-8',
      originalName: 'Brüche "Übung" 1.csv',
      sha256: sha(data),
    });
    const got = await store.get('contract/put/a.csv');
    expect(await readAll(got.body)).toEqual(data);
    expect(got.metadata).toMatchObject({
      size: data.length,
      contentType: 'text/csv; charset=utf-8',
      originalName: 'Brüche "Übung" 1.csv',
      sha256: sha(data),
    });
    const head = await store.head('contract/put/a.csv');
    expect(head).toMatchObject({ key: 'contract/put/a.csv', size: data.length, sha256: sha(data) });
    expect(Date.parse(head?.lastModified ?? '')).not.toBeNaN();
  });

  it('streams a large body of unknown length in and out', async () => {
    // 12 MiB: more than one S3 multipart part (8 MiB).
    const size = 12 * 1024 * 1024 + 123;
    const body = generatedBody(size);
    const put = await store.put('contract/large/blob.bin', body.stream(), {
      contentType: 'application/octet-stream',
      sha256: body.sha256,
    });
    expect(put.size).toBe(size);
    expect(put.sha256).toBe(body.sha256);
    const got = await store.get('contract/large/blob.bin');
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of got.body) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(body.sha256);
    expect((await store.head('contract/large/blob.bin'))?.sha256).toBe(body.sha256);
  });

  it('replaces a blob put again under the same key', async () => {
    await store.put('contract/replace', Buffer.from('first version'), {
      contentType: 'text/plain',
    });
    await store.put('contract/replace', Buffer.from('second'), {
      contentType: 'application/json',
      originalName: 'v2.json',
    });
    const got = await store.get('contract/replace');
    expect((await readAll(got.body)).toString()).toBe('second');
    expect(got.metadata).toMatchObject({
      size: 6,
      contentType: 'application/json',
      originalName: 'v2.json',
    });
  });

  it('answers NotFoundError for a missing key, undefined from head, and deletes idempotently', async () => {
    await expect(store.get('contract/missing/nothing.txt')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.head('contract/missing/nothing.txt')).resolves.toBeUndefined();
    await expect(store.delete('contract/missing/nothing.txt')).resolves.toBeUndefined();
    // A "directory" of other keys is not a blob either.
    await store.put('contract/dir/inside.txt', Buffer.from('x'), { contentType: 'text/plain' });
    await expect(store.get('contract/dir')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.head('contract/dir')).resolves.toBeUndefined();
  });

  it('deletes a blob', async () => {
    await store.put('contract/delete/me.txt', Buffer.from('bye'), { contentType: 'text/plain' });
    await store.delete('contract/delete/me.txt');
    await expect(store.get('contract/delete/me.txt')).rejects.toBeInstanceOf(NotFoundError);
    expect(await keysOf(store, 'contract/delete/')).toEqual([]);
  });

  it('lists by prefix in key order, with sizes', async () => {
    const keys = [
      'list/a/b.txt',
      'list/a/bc.txt',
      'list/a-c.txt',
      'list/a/nested/deep/x.csv',
      'list/ab/c.txt',
      'list/z.txt',
    ];
    for (const [i, key] of keys.entries()) {
      await store.put(key, Buffer.alloc(i + 1, 65), { contentType: 'text/plain' });
    }
    const all: { key: string; size: number }[] = [];
    for await (const e of store.list('list/')) all.push({ key: e.key, size: e.size });
    expect(all.map((e) => e.key)).toEqual([...keys].sort());
    expect(all.find((e) => e.key === 'list/z.txt')?.size).toBe(6);
    expect(await keysOf(store, 'list/a/')).toEqual([
      'list/a/b.txt',
      'list/a/bc.txt',
      'list/a/nested/deep/x.csv',
    ]);
    // A prefix may end part-way through a segment.
    expect(await keysOf(store, 'list/a/b')).toEqual(['list/a/b.txt', 'list/a/bc.txt']);
    expect(await keysOf(store, 'list/a')).toEqual([
      'list/a-c.txt',
      'list/a/b.txt',
      'list/a/bc.txt',
      'list/a/nested/deep/x.csv',
      'list/ab/c.txt',
    ]);
    expect(await keysOf(store, 'list/none/')).toEqual([]);
    expect(await keysOf(store, '')).toEqual(expect.arrayContaining(keys));
  });

  it('keeps nothing of a body that fails part-way', async () => {
    const failing = Readable.from(
      (function* () {
        for (let i = 0; i < 10; i++) yield Buffer.alloc(1024 * 1024, i); // 10 MiB, then…
        throw new Error('client went away');
      })(),
    );
    await expect(
      store.put('contract/partial/upload.bin', failing, { contentType: 'application/zip' }),
    ).rejects.toThrow('client went away');
    await expect(store.head('contract/partial/upload.bin')).resolves.toBeUndefined();
    expect(await keysOf(store, 'contract/partial/')).toEqual([]);
    expect(h.leftovers()).toEqual([]);
  });

  it('refuses (and keeps nothing of) a body that does not match the announced length or hash', async () => {
    const data = Buffer.from('exactly this');
    await expect(
      store.put('contract/integrity/a', Readable.from([data]), {
        contentType: 'text/plain',
        contentLength: data.length + 1,
      }),
    ).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(
      store.put('contract/integrity/b', Readable.from([data]), {
        contentType: 'text/plain',
        sha256: sha('something else'),
      }),
    ).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(
      store.put('contract/integrity/c', data, { contentType: 'text/plain', sha256: sha('nope') }),
    ).rejects.toBeInstanceOf(BlobIntegrityError);
    expect(await keysOf(store, 'contract/integrity/')).toEqual([]);
    expect(h.leftovers()).toEqual([]);
  });

  it.each([
    '../../etc/passwd',
    'uploads/../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e/secret',
    '/etc/passwd',
    'uploads\\..\\..\\windows',
    'C:\\Windows\\win.ini',
    'a\u0000b',
    'line\nbreak',
    'a//b',
    'trailing/',
    './here',
    'a/./b',
    '.hidden',
    '-flag',
    '',
  ])('rejects the key %j in every operation', async (key) => {
    const body = Buffer.from('x');
    await expect(store.put(key, body, { contentType: 'text/plain' })).rejects.toBeInstanceOf(
      InvalidBlobKeyError,
    );
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.head(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.presignGet(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it('rejects traversal in a list prefix', async () => {
    for (const prefix of ['../', 'a/../../', '/etc', 'a\\b', '.meta/']) {
      await expect(keysOf(store, prefix)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    }
  });

  it('presigns a GET link that downloads the blob under the given name', async () => {
    const data = Buffer.from('%PDF-1.4 pretend\n');
    await store.put('contract/presign/report.pdf', data, { contentType: 'application/pdf' });
    const url = await store.presignGet('contract/presign/report.pdf', {
      downloadName: 'Rapport final (v2).pdf',
      ttlSeconds: 60,
    });
    const res = await h.fetchLink(url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(data);
    expect(res.header('content-disposition')).toContain('attachment');
    expect(res.header('content-disposition')).toContain(
      "filename*=UTF-8''Rapport%20final%20%28v2%29.pdf",
    );
  });

  it('rejects a presigned link whose signature, expiry or key was changed (403)', async () => {
    await store.put('contract/presign/secret.txt', Buffer.from('secret'), {
      contentType: 'text/plain',
    });
    await store.put('contract/presign/other.txt', Buffer.from('other'), {
      contentType: 'text/plain',
    });
    const url = await store.presignGet('contract/presign/secret.txt', { ttlSeconds: 60 });
    expect((await h.fetchLink(url)).status).toBe(200);

    const signatureParam = adapter === 's3' ? 'X-Amz-Signature' : 'signature';
    const u = new URL(url, 'http://placeholder');
    const signature = u.searchParams.get(signatureParam) ?? '';
    const flipped = (signature[0] === 'a' ? 'b' : 'a') + signature.slice(1);
    const rebuild = (mutate: (v: URL) => void) => {
      const copy = new URL(u);
      mutate(copy);
      return url.startsWith('http') ? copy.toString() : copy.pathname + copy.search;
    };
    const tampered = {
      signature: rebuild((v) => v.searchParams.set(signatureParam, flipped)),
      expiry: rebuild((v) =>
        adapter === 's3'
          ? v.searchParams.set('X-Amz-Expires', '604800')
          : v.searchParams.set('expires', String(Number(v.searchParams.get('expires')) + 86_400)),
      ),
      key: rebuild((v) => {
        v.pathname = v.pathname.replace('secret.txt', 'other.txt');
      }),
    };
    for (const [what, link] of Object.entries(tampered)) {
      const res = await h.fetchLink(link);
      expect(res.status, `changed ${what}`).toBe(403);
      expect(res.body.toString(), `changed ${what}`).not.toContain('secret');
    }
  });

  it('rejects an expired presigned link (403)', async () => {
    await store.put('contract/presign/expiring.txt', Buffer.from('soon gone'), {
      contentType: 'text/plain',
    });
    const realNow = new Date();
    h.clock.set(new Date(realNow.getTime() - 2 * 3600_000));
    const url = await store.presignGet('contract/presign/expiring.txt', { ttlSeconds: 60 });
    h.clock.set(realNow);
    const res = await h.fetchLink(url);
    expect(res.status).toBe(403);
    expect(res.body.toString()).not.toContain('soon gone');
  });
});
