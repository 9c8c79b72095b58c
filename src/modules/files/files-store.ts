// The files table: thin Kysely queries, one per method.
import type { Kysely, Selectable } from 'kysely';
import type { Database, FilePurpose, FilesTable } from '../../infra/db/schema.ts';

export type FileRow = Selectable<FilesTable>;

export interface FileListFilter {
  ownerId: string;
  purpose?: FilePurpose | undefined;
  limit: number;
  offset: number;
}

export class FilesStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: FileRow): Promise<void> {
    await this.db.insertInto('files').values(row).execute();
  }

  async findById(id: string): Promise<FileRow | undefined> {
    const row = await this.db
      .selectFrom('files')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { ...row, size: Number(row.size) } : undefined;
  }

  async list(filter: FileListFilter): Promise<{ rows: FileRow[]; total: number }> {
    let query = this.db.selectFrom('files').where('owner_id', '=', filter.ownerId);
    if (filter.purpose) query = query.where('purpose', '=', filter.purpose);
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, size: Number(r.size) })), total: Number(count.n) };
  }

  /** Returns whether a row was deleted. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('files').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
