// The OCR fake for unit tests of code that uses OCR: the same input checks as the real pool
// (so bad images fail the same way), then a scripted result instead of the engine.
import {
  DEFAULT_IMAGE_LIMITS,
  inspectImage,
  readImageBytes,
  type ImageLimits,
} from './image-inspection.ts';
import {
  OcrUnavailableError,
  type Ocr,
  type OcrInput,
  type OcrResult,
  type RecogniseOptions,
} from './ocr.ts';

/** Words of `text` laid out on one line each, all with `confidence`. */
export function scriptedOcrResult(text: string, confidence = 90): Omit<OcrResult, 'image'> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const words: OcrResult['words'] = [];
  const lineResults: OcrResult['lines'] = [];
  lines.forEach((line, row) => {
    const y0 = 10 + row * 40;
    let x = 10;
    for (const word of line.trim().split(/\s+/)) {
      words.push({
        text: word,
        confidence,
        bbox: { x0: x, y0, x1: x + word.length * 15, y1: y0 + 30 },
      });
      x += word.length * 15 + 12;
    }
    lineResults.push({ text: line.trim(), confidence, bbox: { x0: 10, y0, x1: x, y1: y0 + 30 } });
  });
  return {
    text: lines.map((line) => line.trim()).join('\n'),
    confidence: words.length === 0 ? 0 : confidence,
    words,
    lines: lineResults,
    durationMs: 0,
  };
}

export class FakeOcr implements Ocr {
  /** What every call returns; `calls` records each request. */
  result: Omit<OcrResult, 'image'> = scriptedOcrResult('Recognised text');
  readonly calls: { bytes: number }[] = [];
  private closed = false;

  constructor(private readonly limits: ImageLimits = DEFAULT_IMAGE_LIMITS) {}

  async recognise(image: OcrInput, options: RecogniseOptions = {}): Promise<OcrResult> {
    if (this.closed) throw new OcrUnavailableError('OCR is shutting down.');
    const bytes = await readImageBytes(image, this.limits.maxBytes, options.signal);
    const info = await inspectImage(bytes, this.limits);
    this.calls.push({ bytes: bytes.length });
    options.onProgress?.(0.5);
    options.signal?.throwIfAborted();
    options.onProgress?.(1);
    return { ...this.result, image: info };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
