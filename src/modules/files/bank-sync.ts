// Question-bank sync between a folder tree and the store's banks/ prefix.
// - push DIR: uploads every file of DIR to banks/<relative path>, skipping files whose size and
//   SHA-256 match what is stored (the hash travels as object metadata); with `deleteExtra` it
//   also deletes stored files that are no longer in DIR.
// - pull [DIR]: mirrors banks/ into a local cache (BANKS_CACHE_DIR): downloads what is new or
//   changed, removes local files the store no longer has. Idempotent: a second run does nothing.
// Hidden files and folders (starting with a dot) are never synced. Writes into the cache are
// atomic (temporary file, then rename). A folder that is not empty and was not made by pull is
// refused, so a mistyped path cannot be wiped.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isValidBlobKey } from '../../infra/storage/blob-keys.ts';
import type { BlobListEntry, BlobStore } from '../../infra/storage/blob-store.ts';
import { BadRequestError } from '../../platform/errors.ts';

export const BANKS_PREFIX = 'banks/';
/** Marks a folder as a banks cache made by pull (so pull may delete files in it). */
export const CACHE_MARKER = '.skillbridge-banks';
const CONCURRENCY = 4;

export interface SyncReport {
  /** Files uploaded (push) or downloaded (pull). */
  transferred: number;
  bytes: number;
  unchanged: number;
  /** Stored files deleted (push with deleteExtra) or local files removed (pull). */
  removed: number;
  /** Files left alone, with the reason. */
  skipped: { path: string; reason: string }[];
}

interface LocalFile {
  /** Relative path with / separators. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.gift': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.pdf': 'application/pdf',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Run fn over items, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/** Every regular, non-hidden file under dir (symbolic links are skipped and reported). */
async function walk(dir: string, skipped: SyncReport['skipped'], rel = ''): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const entries = await readdir(path.join(dir, ...rel.split('/').filter(Boolean)), {
    withFileTypes: true,
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const childRel = rel ? `${rel}/${entry.name}` : entry.name;
    const abs = path.join(dir, ...childRel.split('/'));
    if (entry.isDirectory()) {
      out.push(...(await walk(dir, skipped, childRel)));
    } else if (entry.isFile()) {
      const info = await stat(abs);
      out.push({ rel: childRel, abs, size: info.size, mtimeMs: info.mtimeMs });
    } else {
      skipped.push({ path: childRel, reason: 'not a regular file (symbolic link or device)' });
    }
  }
  return out;
}

async function listRemote(store: BlobStore): Promise<Map<string, BlobListEntry>> {
  const remote = new Map<string, BlobListEntry>();
  for await (const entry of store.list(BANKS_PREFIX)) remote.set(entry.key, entry);
  return remote;
}

async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new BadRequestError(`${dir} is not a directory.`);
}

export async function pushBanks(
  store: BlobStore,
  dirInput: string,
  options: { deleteExtra?: boolean } = {},
): Promise<SyncReport> {
  const dir = path.resolve(dirInput);
  await requireDirectory(dir);
  const report: SyncReport = { transferred: 0, bytes: 0, unchanged: 0, removed: 0, skipped: [] };
  const files = await walk(dir, report.skipped);
  const remote = await listRemote(store);
  const pushedKeys = new Set<string>();
  const candidates: { file: LocalFile; key: string }[] = [];
  for (const file of files) {
    const key = BANKS_PREFIX + file.rel;
    if (!isValidBlobKey(key)) {
      report.skipped.push({
        path: file.rel,
        reason:
          'name cannot be a storage key (use letters, digits, _ . - + = @ , and single spaces)',
      });
      continue;
    }
    pushedKeys.add(key);
    candidates.push({ file, key });
  }

  await eachLimited(candidates, CONCURRENCY, async ({ file, key }) => {
    const sha256 = await hashFile(file.abs);
    const stored = remote.get(key);
    if (stored && stored.size === file.size) {
      const head = await store.head(key);
      if (head?.sha256 === sha256) {
        report.unchanged++;
        return;
      }
    }
    await store.put(key, createReadStream(file.abs), {
      contentType: contentTypeFor(file.rel),
      contentLength: file.size,
      sha256,
    });
    report.transferred++;
    report.bytes += file.size;
  });

  if (options.deleteExtra) {
    const extra = [...remote.keys()].filter((key) => !pushedKeys.has(key));
    await eachLimited(extra, CONCURRENCY, async (key) => {
      await store.delete(key);
      report.removed++;
    });
  }
  return report;
}

/** Refuse to mirror into a folder with other people's files in it. */
async function prepareCache(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new BadRequestError(`${dir} is not a directory.`);
  if (info) {
    const entries = await readdir(dir);
    const visible = entries.filter((name) => !name.startsWith('.'));
    if (visible.length > 0 && !entries.includes(CACHE_MARKER)) {
      throw new BadRequestError(
        `${dir} is not empty and is not a banks cache made by \`skillbridge banks pull\`; ` +
          'pull into an empty folder (pull deletes files the store does not have).',
        'NOT_A_BANKS_CACHE',
      );
    }
  }
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, CACHE_MARKER),
    'This folder mirrors the banks/ files of the SkillBridge store; `skillbridge banks pull` replaces its content.\n',
  );
}

async function removeEmptyDirs(dir: string, isRoot = true): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.')) {
      await removeEmptyDirs(path.join(dir, entry.name), false);
    }
  }
  if (!isRoot) await rmdir(dir).catch(() => undefined);
}

export async function pullBanks(store: BlobStore, dirInput: string): Promise<SyncReport> {
  const dir = path.resolve(dirInput);
  await prepareCache(dir);
  const report: SyncReport = { transferred: 0, bytes: 0, unchanged: 0, removed: 0, skipped: [] };
  const remote = await listRemote(store);
  const wanted = new Map<string, BlobListEntry>();
  for (const entry of remote.values()) {
    const rel = entry.key.slice(BANKS_PREFIX.length);
    if (rel === '' || !isValidBlobKey(entry.key)) {
      report.skipped.push({ path: entry.key, reason: 'not a valid storage key' });
    } else {
      wanted.set(rel, entry);
    }
  }

  // First remove what the store no longer has, so a file and a folder of the same name can
  // swap places between two pulls.
  for (const file of await walk(dir, [])) {
    if (!wanted.has(file.rel)) {
      await rm(file.abs, { force: true });
      report.removed++;
    }
  }
  await removeEmptyDirs(dir);

  const tmpDir = path.join(dir, '.tmp');
  await mkdir(tmpDir, { recursive: true });
  await eachLimited([...wanted], CONCURRENCY, async ([rel, entry]) => {
    const target = path.join(dir, ...rel.split('/'));
    const local = await stat(target).catch(() => undefined);
    if (local?.isFile() && local.size === entry.size) {
      const head = await store.head(entry.key);
      const same = head?.sha256
        ? (await hashFile(target)) === head.sha256
        : // Stored without a hash (not pushed by us): size and modification time, like rsync.
          Math.floor(local.mtimeMs / 1000) === Math.floor(Date.parse(entry.lastModified) / 1000);
      if (same) {
        report.unchanged++;
        return;
      }
    }
    try {
      await download(store, entry, target, tmpDir);
    } catch (err) {
      report.skipped.push({
        path: rel,
        reason: `could not be written: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
    report.transferred++;
    report.bytes += entry.size;
  });

  await rm(tmpDir, { recursive: true, force: true });
  return report;
}

async function download(
  store: BlobStore,
  entry: BlobListEntry,
  target: string,
  tmpDir: string,
): Promise<void> {
  const { body, metadata } = await store.get(entry.key);
  const tmp = path.join(tmpDir, randomUUID());
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(body, hasher, createWriteStream(tmp, { flags: 'wx' }));
    if (metadata.sha256 && hash.digest('hex') !== metadata.sha256) {
      throw new Error('the downloaded content does not match its stored SHA-256');
    }
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tmp, target);
    const modified = new Date(metadata.lastModified ?? entry.lastModified);
    await utimes(target, modified, modified);
  } finally {
    await rm(tmp, { force: true });
  }
}

export function formatSyncReport(verb: 'pushed' | 'pulled', report: SyncReport): string[] {
  const mb = (report.bytes / 1e6).toFixed(1);
  const parts = [
    `${verb} ${report.transferred} file${report.transferred === 1 ? '' : 's'} (${mb} MB)`,
    `${report.unchanged} unchanged`,
  ];
  if (report.removed > 0)
    parts.push(`${report.removed} ${verb === 'pushed' ? 'deleted' : 'removed'}`);
  const lines = [parts.join(', ')];
  for (const s of report.skipped) lines.push(`  skipped ${s.path}: ${s.reason}`);
  return lines;
}
