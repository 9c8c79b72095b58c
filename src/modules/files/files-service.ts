// Uploads, metadata, downloads and deletion of users' files. The blob key is generated here
// (uploads/<yyyy>/<mm>/<uuid>); the user's file name is kept as metadata and only ever comes
// back in Content-Disposition. Learners see their own files; instructors and admins see all;
// owners and admins delete. A file someone may not see is "not found", never "forbidden".
import { pipeline, type Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/env.ts';
import { newUploadKey } from '../../infra/storage/blob-keys.ts';
import type { BlobMetadata, BlobStore } from '../../infra/storage/blob-store.ts';
import type { BlobUrlSigner, SignedBlobQuery } from '../../infra/storage/blob-url-signer.ts';
import { safeFileName } from '../../infra/storage/content-disposition.ts';
import type { Database, FilePurpose, Role } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { FilesStore, type FileRow } from './files-store.ts';
import { UploadInspector, type Sniffer } from './upload-inspection.ts';

export interface Actor {
  id: string;
  role: Role;
}

export interface FileRecord {
  id: string;
  ownerId: string;
  purpose: FilePurpose;
  originalName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

export interface UploadInput {
  purpose: FilePurpose;
  /** As the client sent it; reduced to a safe display name, never used as a path. */
  fileName: string | undefined;
  stream: Readable;
}

export type DownloadTarget =
  { kind: 'redirect'; url: string } | { kind: 'stream'; file: FileRecord; body: Readable };

const STAFF: readonly Role[] = ['instructor', 'admin'];

function toRecord(row: FileRow): FileRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    purpose: row.purpose,
    originalName: row.original_name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}

export interface FilesServiceDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  signer: BlobUrlSigner;
  config: AppConfig;
  clock: Clock;
  audit: AuditService;
  logger: Logger;
  /** Content sniffing; file-type unless a test replaces it. */
  sniffer?: Sniffer;
}

export class FilesService {
  private readonly store: FilesStore;

  constructor(private readonly deps: FilesServiceDeps) {
    this.store = new FilesStore(deps.db);
  }

  get blobStoreKind(): BlobStore['kind'] {
    return this.deps.blobs.kind;
  }

  /**
   * Stream an upload into the store and record it. The size limit, the purpose's allow-list and
   * the content checks run on the bytes as they arrive; any failure (or the client going away)
   * leaves neither a blob nor a row behind.
   */
  async upload(actor: Actor, input: UploadInput): Promise<FileRecord> {
    const { blobs, clock, config } = this.deps;
    const inspector = new UploadInspector(
      input.purpose,
      config.uploads.maxBytes,
      this.deps.sniffer,
    );
    pipeline(input.stream, inspector, () => {
      // Failures surface through the inspector (sniffed / put below).
    });
    const contentType = await inspector.sniffed;
    const originalName = safeFileName(input.fileName);
    const key = newUploadKey(clock.now());
    let stored: BlobMetadata;
    try {
      stored = await blobs.put(key, inspector, { contentType, originalName });
    } catch (err) {
      inspector.destroy();
      throw inspector.errored ?? err;
    }
    const row: FileRow = {
      id: newId(),
      key,
      owner_id: actor.id,
      purpose: input.purpose,
      original_name: originalName,
      content_type: contentType,
      size: stored.size,
      sha256: stored.sha256 ?? '',
      created_at: clock.now().toISOString(),
    };
    try {
      await this.store.insert(row);
    } catch (err) {
      await blobs.delete(key).catch((deleteErr: unknown) => {
        this.deps.logger.error(
          { err: deleteErr, key },
          'could not remove the blob of a failed upload',
        );
      });
      throw err;
    }
    return toRecord(row);
  }

  /** The row, if actor may see it; NotFoundError otherwise (existence is not revealed). */
  private async visibleRow(actor: Actor, id: string): Promise<FileRow> {
    const row = await this.store.findById(id);
    if (!row || (row.owner_id !== actor.id && !STAFF.includes(actor.role))) {
      throw new NotFoundError('No such file.', 'FILE_NOT_FOUND');
    }
    return row;
  }

  async get(actor: Actor, id: string): Promise<FileRecord> {
    return toRecord(await this.visibleRow(actor, id));
  }

  async list(
    actor: Actor,
    filter: { purpose?: FilePurpose | undefined; limit: number; offset: number },
  ): Promise<{ files: FileRecord[]; total: number }> {
    const { rows, total } = await this.store.list({ ownerId: actor.id, ...filter });
    return { files: rows.map(toRecord), total };
  }

  /** S3: a presigned URL to redirect to. Local storage: the content, streamed by the route. */
  async download(actor: Actor, id: string): Promise<DownloadTarget> {
    const row = await this.visibleRow(actor, id);
    const file = toRecord(row);
    if (this.deps.blobs.kind === 's3') {
      const url = await this.deps.blobs.presignGet(row.key, {
        downloadName: row.original_name,
        contentType: row.content_type,
      });
      return { kind: 'redirect', url };
    }
    const { body } = await this.deps.blobs.get(row.key);
    return { kind: 'stream', file, body };
  }

  async delete(actor: Actor, id: string, ip: string | null): Promise<void> {
    const row = await this.visibleRow(actor, id);
    const ownFile = row.owner_id === actor.id;
    if (!ownFile && actor.role !== 'admin') {
      throw new ForbiddenError('Only the owner or an administrator can delete this file.');
    }
    // The row first: a blob without a row is garbage; a row without its blob would be a
    // broken download.
    await this.deps.db.transaction().execute(async (tx) => {
      await new FilesStore(tx).delete(row.id);
      if (!ownFile) {
        await this.deps.audit.record(
          {
            actorId: actor.id,
            action: 'file.delete',
            targetType: 'file',
            targetId: row.id,
            details: { ownerId: row.owner_id, originalName: row.original_name },
            ip,
          },
          tx,
        );
      }
    });
    await this.deps.blobs.delete(row.key).catch((err: unknown) => {
      this.deps.logger.error({ err, key: row.key }, 'file row deleted but its blob was not');
    });
  }

  /** A signed /api/blobs link: check signature and expiry, then open the blob. */
  async openSignedBlob(
    key: string,
    query: SignedBlobQuery,
  ): Promise<{ body: Readable; metadata: BlobMetadata; downloadName: string }> {
    this.deps.signer.verify(key, query);
    const { body, metadata } = await this.deps.blobs.get(key);
    const downloadName = query.name ?? metadata.originalName ?? key.slice(key.lastIndexOf('/') + 1);
    return { body, metadata, downloadName };
  }
}
