// Upload, download and deletion of files through the real application on local storage, on
// SQLite and PostgreSQL, including the hostile inputs: oversized and mislabelled uploads, path
// traversal in names and keys, missing parts, someone else's file, missing CSRF, a client that
// disconnects mid-upload.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../platform/clock.ts';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import {
  CSV,
  EXE,
  JPEG,
  PDF,
  PNG,
  multipartBody,
  plainZip,
  pptx,
  type FormPart,
} from './test-fixtures.ts';
import { PPTX_MIME } from './upload-inspection.ts';

const LIMIT = 256 * 1024;

/** Every file under dir, relative, with / separators. */
function filesUnder(dir: string, rel = ''): string[] {
  if (!existsSync(path.join(dir, rel))) return [];
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(dir, child));
    else out.push(child);
  }
  return out;
}

describe.each(testDialects())('files on local storage, %s', (dialect) => {
  let t: TestApp;
  let clock: FakeClock;
  let blobRoot: string;
  let owner: TestClient;
  let other: TestClient;
  let instructor: TestClient;
  let admin: TestClient;
  let anonymous: TestClient;

  const upload = (client: TestClient, parts: FormPart[], query = '', csrf = true) => {
    const { payload, contentType } = multipartBody(parts);
    return client.request('POST', `/api/files${query}`, payload, {
      csrf,
      headers: { 'content-type': contentType },
    });
  };
  const fileField = (data: Buffer, filename: string, contentType?: string): FormPart => ({
    name: 'file',
    filename,
    data,
    ...(contentType ? { contentType } : {}),
  });
  const rowCount = async () => {
    const row = await t.deps.database.db
      .selectFrom('files')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  /** Uploaded blobs and temporary files: what a refused upload must not leave behind. */
  const storedState = async () => ({
    rows: await rowCount(),
    uploads: filesUnder(path.join(blobRoot, 'uploads')).length,
    tmp: filesUnder(path.join(blobRoot, '.tmp')),
  });
  const keyOf = async (id: string) =>
    (
      await t.deps.database.db
        .selectFrom('files')
        .select('key')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).key;

  beforeAll(async () => {
    clock = new FakeClock(new Date());
    t = await buildTestApp(dialect, { env: { UPLOAD_MAX_BYTES: String(LIMIT) }, clock });
    blobRoot = path.join(t.config.dataDir, 'blobs');
    const login = async (role: 'learner' | 'instructor' | 'admin') => {
      const user = await createUser(t.deps, { role });
      const client = new TestClient(t.app);
      expect((await client.login(user.email, user.password)).statusCode).toBe(200);
      return client;
    };
    owner = await login('learner');
    other = await login('learner');
    instructor = await login('instructor');
    admin = await login('admin');
    anonymous = new TestClient(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('uploads a CSV under a server-generated key and downloads it as an attachment', async () => {
    const res = await upload(
      owner,
      [fileField(CSV, 'Brüche – Übung 1.csv', 'image/png')],
      '?purpose=csv',
    );
    expect(res.statusCode).toBe(201);
    const file = res.json().file;
    expect(file).toMatchObject({
      purpose: 'csv',
      originalName: 'Brüche – Übung 1.csv',
      // The declared part type (image/png) is ignored: the content decides.
      contentType: 'text/csv; charset=utf-8',
      size: CSV.length,
    });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);

    const key = await keyOf(file.id);
    expect(key).toMatch(/^uploads\/\d{4}\/\d{2}\/[0-9a-f-]{36}$/);
    expect(readFileSync(path.join(blobRoot, ...key.split('/')))).toEqual(CSV);

    const meta = await owner.get(`/api/files/${file.id}`);
    expect(meta.statusCode).toBe(200);
    expect(meta.json().file).toEqual(file);

    const download = await owner.get(`/api/files/${file.id}/download`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload).toEqual(CSV);
    expect(download.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(download.headers['content-length']).toBe(String(CSV.length));
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('private, no-store');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="Br_che _ _bung 1.csv"; filename*=UTF-8''Br%C3%BCche%20%E2%80%93%20%C3%9Cbung%201.csv`,
    );

    const list = await owner.get('/api/files?purpose=csv');
    expect(list.json().files.map((f: { id: string }) => f.id)).toContain(file.id);
  });

  it.each<[string, string, Buffer, string]>([
    ['image', 'photo.png', PNG, 'image/png'],
    ['image', 'scan.jpeg', JPEG, 'image/jpeg'],
    ['pdf', 'paper.pdf', PDF, 'application/pdf'],
    ['pptx', 'deck.pptx', pptx(), PPTX_MIME],
  ])('accepts %s content (%s)', async (purpose, name, data, contentType) => {
    const res = await upload(owner, [fileField(data, name)], `?purpose=${purpose}`);
    expect(res.statusCode).toBe(201);
    expect(res.json().file).toMatchObject({ purpose, contentType, size: data.length });
    const download = await owner.get(`/api/files/${res.json().file.id}/download`);
    expect(download.rawPayload).toEqual(data);
  });

  it('takes the purpose from a form field sent before the file', async () => {
    const res = await upload(owner, [{ name: 'purpose', value: 'pdf' }, fileField(PDF, 'a.pdf')]);
    expect(res.statusCode).toBe(201);
    expect(res.json().file.purpose).toBe('pdf');
    const conflict = await upload(
      owner,
      [{ name: 'purpose', value: 'pdf' }, fileField(PDF, 'a.pdf')],
      '?purpose=image',
    );
    expect(conflict.statusCode).toBe(400);
    expect(conflict.json().detail).toMatch(/"image" in the query but "pdf" in the form/);
  });

  it('refuses an upload over the limit with 413 naming the limit, and keeps nothing', async () => {
    const before = await storedState();
    const big = Buffer.alloc(LIMIT * 3, 'a');
    const res = await upload(owner, [fileField(big, 'big.csv')], '?purpose=csv');
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toBe(
      `The file is larger than the upload limit of 0.3 MB (${LIMIT} bytes).`,
    );
    expect(await storedState()).toEqual(before);
    // One byte over is over; exactly the limit is fine.
    const over = await upload(
      owner,
      [fileField(Buffer.alloc(LIMIT + 1, 'b'), 'x.csv')],
      '?purpose=csv',
    );
    expect(over.statusCode).toBe(413);
    const exact = await upload(
      owner,
      [fileField(Buffer.alloc(LIMIT, 'c'), 'x.csv')],
      '?purpose=csv',
    );
    expect(exact.statusCode).toBe(201);
  });

  it.each<[string, Buffer, string, string, RegExp]>([
    [
      'a PNG uploaded as csv',
      PNG,
      'data.csv',
      'csv',
      /Expected CSV \(UTF-8 text\).*but the file is PNG \(image\/png\)/,
    ],
    [
      'an .exe renamed .pptx',
      EXE,
      'deck.pptx',
      'pptx',
      /Expected a PowerPoint presentation.*but the file is EXE/,
    ],
    ['a plain zip as pptx', plainZip(), 'deck.pptx', 'pptx', /ZIP archive without a ppt\/ folder/],
    ['a PDF as image', PDF, 'photo.png', 'image', /Expected a PNG or JPEG image.*PDF/],
  ])('refuses %s with 415 and keeps nothing', async (_what, data, name, purpose, message) => {
    const before = await storedState();
    const res = await upload(owner, [fileField(data, name, PPTX_MIME)], `?purpose=${purpose}`);
    expect(res.statusCode).toBe(415);
    expect(res.json().detail).toMatch(message);
    expect(await storedState()).toEqual(before);
  });

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['C:\\Users\\me\\..\\evil.csv', 'evil.csv'],
    ['/etc/shadow', 'shadow'],
    ['..%2f..%2fsecret.csv', '..%2f..%2fsecret.csv'],
    ['..', 'file'],
    ['bell\u0007tab\t.csv', 'belltab.csv'],
  ])('keeps the name %j as metadata only (%j), never as a path', async (name, shown) => {
    const res = await upload(owner, [fileField(CSV, name)], '?purpose=csv');
    expect(res.statusCode).toBe(201);
    const file = res.json().file;
    expect(file.originalName).toBe(shown);
    const key = await keyOf(file.id);
    expect(key).toMatch(/^uploads\/\d{4}\/\d{2}\/[0-9a-f-]{36}$/);
    // Everything written stays under blobs/ in the store's own layout.
    for (const f of filesUnder(t.config.dataDir)) {
      expect(f).toMatch(
        /^(blobs\/(uploads|\.meta\/uploads)\/\d{4}\/\d{2}\/[0-9a-f-]{36}(~meta\.json)?|session-secret)$/,
      );
    }
    const download = await owner.get(`/api/files/${file.id}/download`);
    const disposition = String(download.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[!-~]+$/);
    expect(disposition).not.toMatch(/[/\\]/);
  });

  it('answers 400 for a form without a file, a file in the wrong field, or no purpose', async () => {
    const noFile = await upload(owner, [{ name: 'purpose', value: 'csv' }], '?purpose=csv');
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json()).toMatchObject({ code: 'FILE_MISSING' });
    expect(noFile.json().detail).toMatch(/field named "file"/);

    const wrongField = await upload(
      owner,
      [{ name: 'document', filename: 'a.csv', data: CSV }],
      '?purpose=csv',
    );
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().detail).toMatch(/field named "document"/);

    const noPurpose = await upload(owner, [fileField(CSV, 'a.csv')]);
    expect(noPurpose.statusCode).toBe(400);
    expect(noPurpose.json().detail).toMatch(/purpose/);

    const badPurpose = await upload(owner, [fileField(CSV, 'a.csv')], '?purpose=exe');
    expect(badPurpose.statusCode).toBe(400);
    expect(badPurpose.json().detail).toMatch(/purpose/);

    const badFieldPurpose = await upload(owner, [
      { name: 'purpose', value: 'exe' },
      fileField(CSV, 'a.csv'),
    ]);
    expect(badFieldPurpose.statusCode).toBe(400);

    const json = await owner.post('/api/files?purpose=csv', { file: 'a,b' });
    expect(json.statusCode).toBe(415);
    expect(json.json().detail).toMatch(/multipart\/form-data/);

    const noBoundary = await owner.request('POST', '/api/files?purpose=csv', 'x', {
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(noBoundary.statusCode).toBe(400);

    const empty = await upload(owner, [fileField(Buffer.alloc(0), 'empty.csv')], '?purpose=csv');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().detail).toBe('The file is empty.');
  });

  it("hides a learner's file from other learners (404), shows it to staff, lets only owner and admin delete", async () => {
    const res = await upload(owner, [fileField(CSV, 'mine.csv')], '?purpose=csv');
    const id = res.json().file.id;

    for (const url of [`/api/files/${id}`, `/api/files/${id}/download`]) {
      const r = await other.get(url);
      expect(r.statusCode, url).toBe(404);
      expect(r.body).not.toContain('mine.csv');
    }
    expect((await other.request('DELETE', `/api/files/${id}`)).statusCode).toBe(404);
    expect((await other.get('/api/files')).json().files).toEqual([]);

    expect((await instructor.get(`/api/files/${id}`)).statusCode).toBe(200);
    const staffDownload = await instructor.get(`/api/files/${id}/download`);
    expect(staffDownload.statusCode).toBe(200);
    expect(staffDownload.rawPayload).toEqual(CSV);
    const instructorDelete = await instructor.request('DELETE', `/api/files/${id}`);
    expect(instructorDelete.statusCode).toBe(403);

    const key = await keyOf(id);
    const adminDelete = await admin.request('DELETE', `/api/files/${id}`);
    expect(adminDelete.statusCode).toBe(204);
    expect(existsSync(path.join(blobRoot, ...key.split('/')))).toBe(false);
    expect((await owner.get(`/api/files/${id}`)).statusCode).toBe(404);
    const audit = await admin.get('/api/audit-log');
    const entries = audit.json().entries as { action: string }[];
    expect(entries.find((e) => e.action === 'file.delete')).toMatchObject({
      action: 'file.delete',
      targetType: 'file',
      targetId: id,
    });
  });

  it('lets the owner delete their file: row and blob gone', async () => {
    const res = await upload(owner, [fileField(PNG, 'p.png')], '?purpose=image');
    const id = res.json().file.id;
    const key = await keyOf(id);
    expect((await owner.request('DELETE', `/api/files/${id}`)).statusCode).toBe(204);
    expect(existsSync(path.join(blobRoot, ...key.split('/')))).toBe(false);
    expect((await owner.get(`/api/files/${id}/download`)).statusCode).toBe(404);
    expect((await owner.request('DELETE', `/api/files/${id}`)).statusCode).toBe(404);
  });

  it('needs a CSRF token to upload or delete (403), and a login for everything (401)', async () => {
    const before = await storedState();
    const noToken = await upload(owner, [fileField(CSV, 'a.csv')], '?purpose=csv', false);
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe('CSRF_INVALID');
    expect(await storedState()).toEqual(before);

    const res = await upload(owner, [fileField(CSV, 'a.csv')], '?purpose=csv');
    const id = res.json().file.id;
    const del = await owner.request('DELETE', `/api/files/${id}`, undefined, { csrf: false });
    expect(del.statusCode).toBe(403);
    expect((await owner.get(`/api/files/${id}`)).statusCode).toBe(200);

    for (const url of ['/api/files', `/api/files/${id}`, `/api/files/${id}/download`]) {
      expect((await anonymous.get(url)).statusCode, url).toBe(401);
    }
    expect((await upload(anonymous, [fileField(CSV, 'a.csv')], '?purpose=csv')).statusCode).toBe(
      401,
    );
  });

  it('serves signed /api/blobs links to logged-in users only, and refuses traversal in the key', async () => {
    const res = await upload(owner, [fileField(PDF, 'report.pdf')], '?purpose=pdf');
    const key = await keyOf(res.json().file.id);
    const link = await t.deps.blobs.presignGet(key, { downloadName: 'Report.pdf', ttlSeconds: 60 });
    expect(link).toMatch(/^\/api\/blobs\/uploads\//);

    const ok = await other.get(link);
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload).toEqual(PDF);
    expect(ok.headers['content-disposition']).toContain("filename*=UTF-8''Report.pdf");
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect((await anonymous.get(link)).statusCode).toBe(401);

    clock.advance(61_000);
    const expired = await other.get(link);
    expect(expired.statusCode).toBe(403);
    expect(expired.json().code).toBe('LINK_EXPIRED');
    clock.advance(-61_000);

    const query = link.slice(link.indexOf('?'));
    for (const hostile of [
      `/api/blobs/..%2F..%2Fetc%2Fpasswd${query}`,
      `/api/blobs/uploads/..%2F..%2F..%2Fsession-secret${query}`,
      `/api/blobs/%2Fetc%2Fpasswd${query}`,
      `/api/blobs/uploads%5C..%5Csecret${query}`,
      `/api/blobs/a%00b${query}`,
    ]) {
      const r = await other.get(hostile);
      expect(r.statusCode, hostile).toBe(400);
      expect(r.json().code, hostile).toBe('INVALID_BLOB_KEY');
    }
    // A path the router normalises away still cannot be signed for.
    const dotted = await other.get(`/api/blobs/uploads/../session-secret${query}`);
    expect([400, 403, 404]).toContain(dotted.statusCode);
    expect(dotted.body).not.toContain(t.config.session.secret);
  });

  it('keeps nothing when the client disconnects mid-upload', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const before = await storedState();
    const token = await owner.csrf();
    const cookie = [...owner.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    const boundary = '----disconnect';
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/files?purpose=csv HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n` +
        `x-csrf-token: ${token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${LIMIT - 100}\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n` +
        `Content-Type: text/csv\r\n\r\n`,
    );
    socket.write(Buffer.alloc(100_000, 'a'));
    // Wait until the upload is streaming into the store, then hang up.
    const deadline = Date.now() + 10_000;
    while ((await storedState()).tmp.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await storedState()).tmp.length).toBe(1);
    socket.destroy();
    while ((await storedState()).tmp.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await storedState()).toEqual(before);
  });
});
