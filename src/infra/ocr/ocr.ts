// The OCR port: image bytes in, recognised text with per-word confidences out. The real adapter
// is a pool of tesseract.js threads (ocr-pool.ts) reading the English data installed with the
// @tesseract.js-data/eng package, never the network; FakeOcr (fake-ocr.ts) stands in for unit
// tests of code that uses OCR.
import type { Readable } from 'node:stream';
import { AppError } from '../../platform/errors.ts';

/** Pixel coordinates in the image, origin top left; x1/y1 exclusive. */
export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0-100, tesseract's confidence in this word. */
  confidence: number;
  bbox: OcrBox;
}

export interface OcrLine {
  text: string;
  /** 0-100. */
  confidence: number;
  bbox: OcrBox;
}

export type OcrImageFormat = 'png' | 'jpeg';

export interface OcrResult {
  /** The recognised text, lines separated by \n, paragraphs by a blank line. */
  text: string;
  /** 0-100: tesseract's mean word confidence over the page; 0 when nothing was recognised. */
  confidence: number;
  /** In reading order. */
  words: OcrWord[];
  lines: OcrLine[];
  image: { format: OcrImageFormat; width: number; height: number };
  /** Time spent recognising (not waiting for a free worker). */
  durationMs: number;
}

export interface RecogniseOptions {
  /** Aborting stops the recognition at once (its worker thread is replaced). */
  signal?: AbortSignal | undefined;
  /** 0-1 while the engine works; throttling is the caller's business. */
  onProgress?: ((fraction: number) => void) | undefined;
}

export type OcrInput = Uint8Array | Readable;

export interface Ocr {
  /**
   * Recognise the English text in a PNG or JPEG. Input that is not a complete, readable PNG or
   * JPEG within the size limits rejects with OcrImageError before the engine sees it.
   */
  recognise(image: OcrInput, options?: RecogniseOptions): Promise<OcrResult>;
  /** Stop every worker thread; later calls reject with OcrUnavailableError. Idempotent. */
  close(): Promise<void>;
}

export type OcrImageProblem =
  'empty' | 'not-an-image' | 'truncated' | 'corrupt' | 'too-large' | 'unreadable';

const STATUS: Record<OcrImageProblem, number> = {
  empty: 400,
  'not-an-image': 415,
  truncated: 400,
  corrupt: 400,
  'too-large': 413,
  unreadable: 400,
};

/** The input is not something OCR can read; the message says why in words a person can act on. */
export class OcrImageError extends AppError {
  readonly problem: OcrImageProblem;
  constructor(problem: OcrImageProblem, detail: string) {
    super(
      STATUS[problem],
      `OCR_${problem.toUpperCase().replaceAll('-', '_')}`,
      'Image not usable for OCR',
      detail,
    );
    this.problem = problem;
  }
}

/** OCR is shut down or its engine could not start. */
export class OcrUnavailableError extends AppError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(503, 'OCR_UNAVAILABLE', 'OCR unavailable', detail, options);
  }
}

/** The engine failed on an image that passed every check (e.g. its worker thread crashed). */
export class OcrEngineError extends AppError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(500, 'OCR_ENGINE_FAILED', 'OCR failed', detail, options);
  }
}
