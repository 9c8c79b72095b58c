// What OCR is given is checked before the engine sees it: a complete PNG or JPEG (judged by its
// bytes, never a name or a declared type) within byte and pixel limits. Leptonica, inside the
// engine, would otherwise decode a 100 000 × 100 000 header into gigabytes, or half-read a
// truncated file. A PNG is walked chunk by chunk with every CRC checked up to IEND; a JPEG
// marker by marker up to its scan, and must end with EOI.
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { sniffWithFileType } from '../../modules/files/upload-inspection.ts';
import { OcrImageError, type OcrImageFormat, type OcrInput } from './ocr.ts';

export interface ImageLimits {
  /** Largest encoded size in bytes. */
  maxBytes: number;
  /** Largest width × height. */
  maxPixels: number;
  /** Largest width or height. */
  maxSide: number;
}

/** An A4 page scanned at 600 dpi (4961 × 7016) fits; a hostile header does not. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 32 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxSide: 12_000,
};

export interface ImageInfo {
  format: OcrImageFormat;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/** The whole input as one buffer, refusing more than maxBytes and stopping when aborted. */
export async function readImageBytes(
  input: OcrInput,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  signal?.throwIfAborted();
  const tooLarge = () =>
    new OcrImageError(
      'too-large',
      `The image is larger than the OCR limit of ${megabytes(maxBytes)} (${maxBytes} bytes).`,
    );
  if (input instanceof Uint8Array) {
    if (input.length > maxBytes) throw tooLarge();
    return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  }
  const stream: Readable = input;
  const chunks: Buffer[] = [];
  let total = 0;
  const onAbort = () => stream.destroy(signal?.reason as Error);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += buf.length;
      if (total > maxBytes) {
        stream.destroy();
        throw tooLarge();
      }
      chunks.push(buf);
    }
  } catch (err) {
    signal?.throwIfAborted();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, total);
}

function checkDimensions(format: string, width: number, height: number, limits: ImageLimits) {
  if (width < 1 || height < 1) {
    throw new OcrImageError(
      'corrupt',
      `The ${format} image says it is ${width} × ${height} pixels.`,
    );
  }
  if (width > limits.maxSide || height > limits.maxSide || width * height > limits.maxPixels) {
    throw new OcrImageError(
      'too-large',
      `The ${format} image is ${width} × ${height} pixels; OCR accepts at most ${limits.maxSide} pixels a side and ${Math.round(limits.maxPixels / 1e6)} megapixels. Scan at 300 dpi or crop the page.`,
    );
  }
}

/** Valid bit depths per PNG colour type (PNG spec, table 11.1). */
const PNG_BIT_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function inspectPng(buf: Buffer, limits: ImageLimits): ImageInfo {
  const truncated = () =>
    new OcrImageError(
      'truncated',
      'The PNG image is incomplete: the file ends before its last chunk (IEND). Upload the whole file again.',
    );
  let pos = PNG_SIGNATURE.length;
  let width = 0;
  let height = 0;
  let sawIdat = false;
  for (let index = 0; ; index++) {
    if (pos + 8 > buf.length) throw truncated();
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) {
      throw new OcrImageError('corrupt', `The PNG image is damaged (a bad chunk at byte ${pos}).`);
    }
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) {
        throw new OcrImageError(
          'corrupt',
          'The PNG image is damaged (it does not start with IHDR).',
        );
      }
      if (pos + 8 + 13 > buf.length) throw truncated();
      width = buf.readUInt32BE(pos + 8);
      height = buf.readUInt32BE(pos + 12);
      const bitDepth = buf[pos + 16] ?? 0;
      const colourType = buf[pos + 17] ?? 0;
      const [compression, filter, interlace] = [buf[pos + 18], buf[pos + 19], buf[pos + 20]];
      if (
        !(PNG_BIT_DEPTHS[colourType] ?? []).includes(bitDepth) ||
        compression !== 0 ||
        filter !== 0 ||
        (interlace !== 0 && interlace !== 1)
      ) {
        throw new OcrImageError('corrupt', 'The PNG image is damaged (an impossible IHDR header).');
      }
      // Refuse a hostile size before reading any further.
      checkDimensions('PNG', width, height, limits);
    }
    const end = pos + 8 + length + 4;
    if (end > buf.length) throw truncated();
    const expected = buf.readUInt32BE(end - 4);
    if (crc32(buf.subarray(pos + 4, end - 4)) !== expected) {
      throw new OcrImageError(
        'corrupt',
        `The PNG image is damaged (chunk ${type} at byte ${pos} fails its checksum).`,
      );
    }
    if (type === 'IDAT') sawIdat = true;
    if (type === 'IEND') break;
    pos = end;
  }
  if (!sawIdat) {
    throw new OcrImageError('corrupt', 'The PNG image has no pixel data (no IDAT chunk).');
  }
  return { format: 'png', width, height };
}

/** Start-of-frame markers that carry the image size (not DHT C4, JPG C8, DAC CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function inspectJpeg(buf: Buffer, limits: ImageLimits): ImageInfo {
  const truncated = () =>
    new OcrImageError(
      'truncated',
      'The JPEG image is incomplete: the file ends before its end-of-image marker. Upload the whole file again.',
    );
  let pos = 2;
  let size: { width: number; height: number } | undefined;
  for (;;) {
    if (pos + 2 > buf.length) throw truncated();
    if (buf[pos] !== 0xff) {
      throw new OcrImageError('corrupt', `The JPEG image is damaged (no marker at byte ${pos}).`);
    }
    const marker = buf[pos + 1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // markers without a length
      continue;
    }
    if (marker === 0xd8 || marker === 0xd9) {
      throw new OcrImageError('corrupt', 'The JPEG image is damaged (it ends before any pixels).');
    }
    if (pos + 4 > buf.length) throw truncated();
    const length = buf.readUInt16BE(pos + 2);
    if (length < 2) {
      throw new OcrImageError(
        'corrupt',
        `The JPEG image is damaged (a bad segment at byte ${pos}).`,
      );
    }
    if (pos + 2 + length > buf.length) throw truncated();
    if (isStartOfFrame(marker)) {
      if (length < 7) throw new OcrImageError('corrupt', 'The JPEG image has a damaged header.');
      const height = buf.readUInt16BE(pos + 5);
      const width = buf.readUInt16BE(pos + 7);
      if (height === 0) {
        throw new OcrImageError(
          'corrupt',
          'The JPEG image does not state its height in its header; save it again as a standard JPEG.',
        );
      }
      checkDimensions('JPEG', width, height, limits);
      size = { width, height };
    }
    if (marker === 0xda) {
      if (!size) {
        throw new OcrImageError('corrupt', 'The JPEG image is damaged (pixels before its header).');
      }
      // Entropy-coded data follows; the file must still end with EOI (trailing padding allowed).
      const eoi = buf.lastIndexOf(Buffer.from([0xff, 0xd9]));
      if (eoi < pos + 2 + length) throw truncated();
      return { format: 'jpeg', ...size };
    }
    pos += 2 + length;
  }
}

/** What the bytes are, for the message when they are not a PNG or JPEG. */
async function describeOther(buf: Buffer): Promise<string> {
  const found = await sniffWithFileType(buf.subarray(0, 64 * 1024)).catch(() => undefined);
  if (found) return `${found.ext.toUpperCase()} (${found.mime})`;
  return 'not an image (unrecognised data)';
}

/**
 * Check that buf is a complete PNG or JPEG within the limits; its format and size, or
 * OcrImageError saying what is wrong.
 */
export async function inspectImage(buf: Uint8Array, limits: ImageLimits): Promise<ImageInfo> {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length === 0) throw new OcrImageError('empty', 'The image file is empty.');
  if (bytes.length > limits.maxBytes) {
    throw new OcrImageError(
      'too-large',
      `The image is larger than the OCR limit of ${megabytes(limits.maxBytes)} (${limits.maxBytes} bytes).`,
    );
  }
  if (bytes.length >= PNG_SIGNATURE.length && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return inspectPng(bytes, limits);
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return inspectJpeg(bytes, limits);
  }
  if (bytes.length < 8 && PNG_SIGNATURE.subarray(0, bytes.length).equals(bytes)) {
    throw new OcrImageError('truncated', 'The PNG image is incomplete (only its first bytes).');
  }
  throw new OcrImageError(
    'not-an-image',
    `OCR reads PNG or JPEG images, but the file is ${await describeOther(bytes)}.`,
  );
}
