// What an upload really is, decided from its bytes, never from its name or declared type.
// UploadInspector is a pass-through stream the upload flows through on its way to the store:
// - it enforces the size limit (413) on the bytes actually received;
// - it sniffs the first bytes with file-type against the purpose's allow-list (415 before
//   anything is stored);
// - while the rest flows it checks what magic bytes cannot: CSV must be UTF-8 text without NUL
//   bytes to the end, and a PPTX must be a ZIP with entries under ppt/ (a plain ZIP, a DOCX or
//   an .exe renamed .pptx are refused).
// Any failure errors the stream, and the store keeps nothing of a stream that errored.
import type * as FileTypeModule from 'file-type';
import { Transform, type TransformCallback } from 'node:stream';
import type { FilePurpose } from '../../infra/db/schema.ts';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../platform/errors.ts';

export const FILE_PURPOSES = [
  'csv',
  'pptx',
  'image',
  'pdf',
] as const satisfies readonly FilePurpose[];

export const PPTX_MIME =
  'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** What each purpose accepts, in words for error messages. */
const EXPECTED: Record<FilePurpose, string> = {
  csv: 'CSV (UTF-8 text)',
  pptx: 'a PowerPoint presentation (.pptx)',
  image: 'a PNG or JPEG image',
  pdf: 'a PDF document',
};

/** Enough for file-type to see a ZIP's first entries ([Content_Types].xml, ppt/…). */
const HEAD_BYTES = 64 * 1024;
const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** A local file header is 30 bytes before the name; `ppt/` is 4 more. */
const ZIP_HEADER_WINDOW = 34;

export interface DetectedType {
  ext: string;
  mime: string;
}

export type Sniffer = (head: Uint8Array) => Promise<DetectedType | undefined>;

let fileTypeModule: Promise<typeof FileTypeModule> | undefined;

/** file-type, loaded on the first upload (it is not needed to start the server). */
export const sniffWithFileType: Sniffer = async (head) => {
  fileTypeModule ??= import('file-type');
  const { fileTypeFromBuffer } = await fileTypeModule;
  return fileTypeFromBuffer(head);
};

export function formatMegabytes(bytes: number): string {
  const mb = bytes / 1e6;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

function describe(found: DetectedType | undefined): string {
  return found ? `${found.ext.toUpperCase()} (${found.mime})` : 'unrecognised binary data';
}

function mismatch(purpose: FilePurpose, found: string): UnsupportedMediaTypeError {
  return new UnsupportedMediaTypeError(
    `Expected ${EXPECTED[purpose]} for purpose "${purpose}", but the file is ${found}.`,
  );
}

export class UploadInspector extends Transform {
  private bytes = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private decided = false;
  private contentTypeValue: string | undefined;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private zipCarry: Buffer = Buffer.alloc(0);
  private pptEntryFound = false;
  private resolveSniffed!: (contentType: string) => void;
  private rejectSniffed!: (err: unknown) => void;
  /** Resolves with the content type to store once the first bytes are judged; rejects with 415. */
  readonly sniffed: Promise<string>;

  constructor(
    private readonly purpose: FilePurpose,
    private readonly maxBytes: number,
    private readonly sniff: Sniffer = sniffWithFileType,
  ) {
    super();
    this.sniffed = new Promise<string>((resolve, reject) => {
      this.resolveSniffed = resolve;
      this.rejectSniffed = reject;
    });
    this.sniffed.catch(() => undefined); // observed by the caller; never an unhandled rejection
    this.on('error', (err) => this.rejectSniffed(err));
    this.on('close', () =>
      this.rejectSniffed(new BadRequestError('The upload ended before the file was complete.')),
    );
  }

  get byteCount(): number {
    return this.bytes;
  }

  get contentType(): string | undefined {
    return this.contentTypeValue;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(
        new PayloadTooLargeError(
          `The file is larger than the upload limit of ${formatMegabytes(this.maxBytes)} (${this.maxBytes} bytes).`,
        ),
      );
      return;
    }
    if (this.decided) {
      this.checkAndPush(chunk, callback);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < HEAD_BYTES) {
      callback();
      return;
    }
    this.decide(callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes === 0) {
      callback(new BadRequestError('The file is empty.', 'EMPTY_FILE'));
      return;
    }
    const finish = (err?: Error | null) => {
      if (err) {
        callback(err);
        return;
      }
      callback(this.finalCheck());
    };
    if (!this.decided) this.decide(finish);
    else finish();
  }

  /** Judge the first bytes, then let them through (checked like every later chunk). */
  private decide(callback: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.sniff(head).then(
      (found) => {
        let contentType: string;
        try {
          contentType = this.judgeHead(head, found);
        } catch (err) {
          callback(err as Error);
          return;
        }
        this.decided = true;
        this.contentTypeValue = contentType;
        this.resolveSniffed(contentType);
        this.checkAndPush(head, callback);
      },
      (err: unknown) => callback(err as Error),
    );
  }

  private judgeHead(head: Buffer, found: DetectedType | undefined): string {
    switch (this.purpose) {
      case 'image':
        if (found?.mime === 'image/png' || found?.mime === 'image/jpeg') return found.mime;
        throw mismatch(this.purpose, describe(found));
      case 'pdf':
        if (found?.mime === 'application/pdf') return found.mime;
        throw mismatch(this.purpose, describe(found));
      case 'pptx':
        // A ZIP whose first entries did not settle it is judged by its ppt/ entries later.
        if ((found?.ext === 'pptx' || found?.ext === 'zip') && startsWith(head, ZIP_LOCAL_HEADER)) {
          return PPTX_MIME;
        }
        throw mismatch(this.purpose, describe(found));
      case 'csv': {
        // CSV has no magic bytes: accept UTF-8 text without NUL. (file-type guesses formats from
        // text too, e.g. "ID3,…" looks like MP3, so its answer only names what binary was found.)
        const nul = head.indexOf(0);
        if (nul !== -1) throw mismatch(this.purpose, found ? describe(found) : 'binary data');
        return 'text/csv; charset=utf-8';
      }
    }
  }

  private checkAndPush(chunk: Buffer, callback: TransformCallback): void {
    try {
      if (this.purpose === 'csv') this.checkText(chunk);
      if (this.purpose === 'pptx' && !this.pptEntryFound) this.scanZipEntries(chunk);
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.push(chunk);
    callback();
  }

  private checkText(chunk: Buffer): void {
    const nul = chunk.indexOf(0);
    if (nul !== -1) {
      throw mismatch('csv', `not text (a NUL byte at byte ${this.bytes - chunk.length + nul})`);
    }
    try {
      this.utf8.decode(chunk, { stream: true });
    } catch {
      throw mismatch('csv', 'not UTF-8 text (invalid UTF-8 bytes); save it as CSV UTF-8');
    }
  }

  /** Look for a ZIP local file header whose entry name starts with ppt/, across chunk edges. */
  private scanZipEntries(chunk: Buffer): void {
    const buf = this.zipCarry.length > 0 ? Buffer.concat([this.zipCarry, chunk]) : chunk;
    let at = buf.indexOf(ZIP_LOCAL_HEADER);
    while (at !== -1 && at + ZIP_HEADER_WINDOW <= buf.length) {
      const nameLength = buf.readUInt16LE(at + 26);
      if (nameLength >= 4 && buf.toString('latin1', at + 30, at + 34) === 'ppt/') {
        this.pptEntryFound = true;
        this.zipCarry = Buffer.alloc(0);
        return;
      }
      at = buf.indexOf(ZIP_LOCAL_HEADER, at + 1);
    }
    // Keep a copy of the tail: a header may start in it and end in the next chunk.
    this.zipCarry = Buffer.from(buf.subarray(Math.max(0, buf.length - (ZIP_HEADER_WINDOW - 1))));
  }

  private finalCheck(): Error | null {
    if (this.purpose === 'csv') {
      try {
        this.utf8.decode();
      } catch {
        return mismatch('csv', 'not UTF-8 text (it ends in the middle of a character)');
      }
    }
    if (this.purpose === 'pptx' && !this.pptEntryFound) {
      return mismatch('pptx', 'a ZIP archive without a ppt/ folder, so not a presentation');
    }
    return null;
  }
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.subarray(0, prefix.length).equals(prefix);
}

export function isFilePurpose(value: unknown): value is FilePurpose {
  return typeof value === 'string' && (FILE_PURPOSES as readonly string[]).includes(value);
}
