// Content sniffing and streaming checks of uploads, on real file bytes and real file-type.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { FilePurpose } from '../../infra/db/schema.ts';
import { CSV, EXE, JPEG, PDF, PNG, docx, fakePptx, plainZip, pptx } from './test-fixtures.ts';
import { PPTX_MIME, UploadInspector, formatMegabytes } from './upload-inspection.ts';

function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

async function inspect(
  purpose: FilePurpose,
  data: Buffer,
  options: { maxBytes?: number; chunkSize?: number } = {},
): Promise<{ contentType: string; output: Buffer }> {
  const inspector = new UploadInspector(purpose, options.maxBytes ?? 10_000_000);
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(chunked(data, options.chunkSize ?? 16 * 1024)), inspector, sink);
  return { contentType: await inspector.sniffed, output: Buffer.concat(received) };
}

async function rejection(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e as { statusCode?: number; message: string },
  );
  if (!err) throw new Error('expected the upload to be refused');
  return err;
}

describe('UploadInspector', () => {
  it.each<[FilePurpose, Buffer, string]>([
    ['csv', CSV, 'text/csv; charset=utf-8'],
    ['image', PNG, 'image/png'],
    ['image', JPEG, 'image/jpeg'],
    ['pdf', PDF, 'application/pdf'],
    ['pptx', pptx(), PPTX_MIME],
  ])('accepts %s content and passes every byte through', async (purpose, data, contentType) => {
    const result = await inspect(purpose, data, { chunkSize: 7 });
    expect(result.contentType).toBe(contentType);
    expect(result.output).toEqual(data);
  });

  it.each<[string, FilePurpose, Buffer, RegExp]>([
    [
      'a PNG as csv',
      'csv',
      PNG,
      /Expected CSV \(UTF-8 text\) for purpose "csv", but the file is PNG \(image\/png\)/,
    ],
    [
      'an .exe as pptx',
      'pptx',
      EXE,
      /Expected a PowerPoint presentation \(\.pptx\).*but the file is EXE/,
    ],
    ['a plain zip as pptx', 'pptx', plainZip(), /ZIP archive without a ppt\/ folder/],
    ['a DOCX as pptx', 'pptx', docx(), /but the file is DOCX/],
    ['a zip claiming to be a presentation', 'pptx', fakePptx(), /without a ppt\/ folder/],
    ['a PDF as image', 'image', PDF, /Expected a PNG or JPEG image.*but the file is PDF/],
    ['text as pdf', 'pdf', CSV, /Expected a PDF document.*unrecognised binary data/],
    ['a PNG as pdf', 'pdf', PNG, /but the file is PNG/],
  ])(
    'refuses %s with 415 naming what was expected and found',
    async (_what, purpose, data, message) => {
      const err = await rejection(inspect(purpose, data));
      expect(err.statusCode).toBe(415);
      expect(err.message).toMatch(message);
    },
  );

  it('finds the ppt/ entries of a PPTX far beyond the first bytes, split across chunks', async () => {
    const big = pptx({ padding: 300_000 });
    for (const chunkSize of [1000, 4099, 65_536]) {
      const result = await inspect('pptx', big, { chunkSize });
      expect(result.contentType).toBe(PPTX_MIME);
      expect(result.output.length).toBe(big.length);
    }
  });

  it('checks CSV to the end: a NUL byte or invalid UTF-8 after the first bytes is refused', async () => {
    const head = Buffer.from('a,b\n'.repeat(40_000)); // 160 KB of text
    const withNul = Buffer.concat([head, Buffer.from('x,\u0000y\n')]);
    const nulErr = await rejection(inspect('csv', withNul));
    expect(nulErr.statusCode).toBe(415);
    expect(nulErr.message).toMatch(/NUL byte at byte 160002/);

    const latin1 = Buffer.concat([head, Buffer.from('caf\xe9\n', 'latin1')]);
    const utfErr = await rejection(inspect('csv', latin1));
    expect(utfErr.statusCode).toBe(415);
    expect(utfErr.message).toMatch(/not UTF-8 text/);

    const cut = Buffer.concat([head, Buffer.from('é').subarray(0, 1)]);
    expect((await rejection(inspect('csv', cut))).message).toMatch(/middle of a character/);
  });

  it('accepts UTF-8 characters split across chunk boundaries', async () => {
    const text = Buffer.from('name,emoji\n' + 'Zoë,🙂\n'.repeat(5000));
    const result = await inspect('csv', text, { chunkSize: 3 });
    expect(result.output).toEqual(text);
  });

  it('accepts text that file-type mistakes for a binary format ("ID3…" looks like MP3)', async () => {
    const result = await inspect('csv', Buffer.from('ID3,name\n1,Ada\n'));
    expect(result.contentType).toBe('text/csv; charset=utf-8');
  });

  it('enforces the size limit on the bytes received: at the limit is fine, one more is 413', async () => {
    const limit = 100_000;
    const exact = Buffer.alloc(limit, 'a');
    expect((await inspect('csv', exact, { maxBytes: limit })).output.length).toBe(limit);
    const err = await rejection(inspect('csv', Buffer.alloc(limit + 1, 'a'), { maxBytes: limit }));
    expect(err.statusCode).toBe(413);
    expect(err.message).toBe(
      `The file is larger than the upload limit of 0.1 MB (${limit} bytes).`,
    );
  });

  it('refuses an empty file (400)', async () => {
    const err = await rejection(inspect('csv', Buffer.alloc(0)));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('The file is empty.');
  });

  it('formats limits for people', () => {
    expect(formatMegabytes(52_428_800)).toBe('52 MB');
    expect(formatMegabytes(1_500_000)).toBe('1.5 MB');
  });
});
