// The OCR adapter: a small pool of tesseract.js threads (OCR_WORKERS, default 2). Nothing starts
// until the first recognition; a thread that has been idle for idleMs is stopped (each holds
// ~100 MB); close() stops them all (deps.close() at shutdown). Requests beyond the pool size wait
// their turn in order. A thread whose recognition failed or was aborted is thrown away and a
// fresh one started for the next request, so one bad job never poisons the next.
import type { Logger } from 'pino';
import {
  DEFAULT_IMAGE_LIMITS,
  inspectImage,
  readImageBytes,
  type ImageLimits,
} from './image-inspection.ts';
import {
  OcrEngineError,
  OcrImageError,
  OcrUnavailableError,
  type Ocr,
  type OcrInput,
  type OcrLine,
  type OcrResult,
  type OcrWord,
  type RecogniseOptions,
} from './ocr.ts';
import {
  ENGLISH_LANG_PATH,
  TesseractThread,
  type TesseractBox,
  type TesseractPage,
} from './tesseract-thread.ts';

export interface OcrPoolOptions {
  /** Threads at most (OCR_WORKERS). */
  size: number;
  logger: Logger;
  limits?: Partial<ImageLimits>;
  /** Directory holding eng.traineddata.gz; the installed @tesseract.js-data/eng by default. */
  langPath?: string;
  /** An idle thread is stopped after this long (default 5 minutes). */
  idleMs?: number;
  /** Starting a thread (engine + language data) must take less than this (default 60 s). */
  startTimeoutMs?: number;
}

interface Waiter {
  resolve(thread: TesseractThread): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class OcrPool implements Ocr {
  private readonly limits: ImageLimits;
  private readonly idle: TesseractThread[] = [];
  private readonly busy = new Set<TesseractThread>();
  private readonly idleTimers = new Map<TesseractThread, NodeJS.Timeout>();
  private starting = 0;
  private readonly startingThreads = new Set<Promise<TesseractThread | undefined>>();
  private readonly waiters: Waiter[] = [];
  private closed = false;
  private threadsStarted = 0;

  constructor(private readonly options: OcrPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new Error('OcrPool size must be a positive integer');
    }
    this.limits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits };
  }

  /** For tests and the benchmark: threads alive now, and started since the pool was made. */
  stats(): { idle: number; busy: number; starting: number; started: number; waiting: number } {
    return {
      idle: this.idle.length,
      busy: this.busy.size,
      starting: this.starting,
      started: this.threadsStarted,
      waiting: this.waiters.length,
    };
  }

  async recognise(image: OcrInput, options: RecogniseOptions = {}): Promise<OcrResult> {
    const { signal, onProgress } = options;
    if (this.closed) throw new OcrUnavailableError('OCR is shutting down.');
    const bytes = await readImageBytes(image, this.limits.maxBytes, signal);
    const info = await inspectImage(bytes, this.limits);
    const thread = await this.acquire(signal);
    const started = performance.now();
    let page: TesseractPage;
    try {
      page = await thread.recognise(bytes, onProgress, signal);
    } catch (err) {
      this.retire(thread);
      signal?.throwIfAborted();
      if (this.closed) throw new OcrUnavailableError('OCR is shutting down.', { cause: err });
      if (err instanceof OcrEngineError && /read image/i.test(err.message)) {
        throw new OcrImageError(
          'unreadable',
          `The ${info.format.toUpperCase()} image could not be decoded; save it again as PNG or JPEG and retry.`,
        );
      }
      throw err;
    }
    this.release(thread);
    return toResult(page, info, performance.now() - started);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new OcrUnavailableError('OCR is shutting down.'));
    }
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    const threads = [...this.idle.splice(0), ...this.busy];
    this.busy.clear();
    await Promise.all([
      ...threads.map((thread) => thread.terminate()),
      // Threads still starting are stopped as soon as they are up (see startThread).
      ...this.startingThreads,
    ]);
  }

  private acquire(signal: AbortSignal | undefined): Promise<TesseractThread> {
    signal?.throwIfAborted();
    return new Promise<TesseractThread>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.waiters.indexOf(waiter);
          if (at !== -1) this.waiters.splice(at, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Hand idle threads to waiters in order; start threads for the rest while there is room. */
  private pump(): void {
    while (this.waiters.length > 0 && this.idle.length > 0) {
      const thread = this.idle.shift() as TesseractThread;
      clearTimeout(this.idleTimers.get(thread));
      this.idleTimers.delete(thread);
      if (!thread.alive) {
        void thread.terminate(); // it crashed while idle; a fresh one is started below
        continue;
      }
      const waiter = this.waiters.shift() as Waiter;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.busy.add(thread);
      thread.setBusy(true);
      waiter.resolve(thread);
    }
    const room = this.options.size - this.idle.length - this.busy.size - this.starting;
    const wanted = Math.min(room, this.waiters.length - this.starting);
    for (let i = 0; i < wanted; i++) this.startThread();
  }

  private startThread(): void {
    this.starting += 1;
    this.threadsStarted += 1;
    const started = TesseractThread.start({
      langPath: this.options.langPath ?? ENGLISH_LANG_PATH,
      logger: this.options.logger,
      startTimeoutMs: this.options.startTimeoutMs ?? 60_000,
    }).then(
      async (thread) => {
        if (this.closed) {
          await thread.terminate();
          return undefined;
        }
        this.idle.push(thread);
        this.scheduleIdleStop(thread);
        return thread;
      },
      (err: unknown) => {
        this.options.logger.error({ err }, 'an OCR engine thread could not start');
        // The oldest waiter gets the failure; the others keep waiting (pump starts another).
        const waiter = this.waiters.shift();
        if (waiter) {
          waiter.signal?.removeEventListener('abort', waiter.onAbort);
          waiter.reject(
            new OcrUnavailableError(
              `The OCR engine could not start: ${err instanceof Error ? err.message : String(err)}`,
              { cause: err },
            ),
          );
        }
        return undefined;
      },
    );
    this.startingThreads.add(started);
    void started.finally(() => {
      this.startingThreads.delete(started);
      this.starting -= 1;
      if (!this.closed) this.pump();
    });
  }

  private release(thread: TesseractThread): void {
    this.busy.delete(thread);
    if (this.closed || !thread.alive) {
      void thread.terminate();
      return;
    }
    thread.setBusy(false);
    this.idle.push(thread);
    this.scheduleIdleStop(thread);
    this.pump();
  }

  private retire(thread: TesseractThread): void {
    this.busy.delete(thread);
    void thread.terminate();
    if (!this.closed) this.pump();
  }

  private scheduleIdleStop(thread: TesseractThread): void {
    thread.setBusy(false);
    const timer = setTimeout(() => {
      const at = this.idle.indexOf(thread);
      if (at === -1) return;
      this.idle.splice(at, 1);
      this.idleTimers.delete(thread);
      void thread.terminate();
    }, this.options.idleMs ?? 300_000);
    timer.unref();
    this.idleTimers.set(thread, timer);
  }
}

function box(bbox: TesseractBox) {
  return { x0: bbox.x0, y0: bbox.y0, x1: bbox.x1, y1: bbox.y1 };
}

function round(confidence: number): number {
  return Math.round(confidence * 100) / 100;
}

function toResult(page: TesseractPage, image: OcrResult['image'], durationMs: number): OcrResult {
  const words: OcrWord[] = [];
  const lines: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const text = line.text.trim();
        if (text === '') continue;
        lines.push({ text, confidence: round(line.confidence), bbox: box(line.bbox) });
        for (const word of line.words) {
          if (word.text.trim() === '') continue;
          words.push({ text: word.text, confidence: round(word.confidence), bbox: box(word.bbox) });
        }
      }
    }
  }
  return {
    text: (page.text ?? '').trim(),
    confidence: words.length === 0 ? 0 : round(page.confidence ?? 0),
    words,
    lines,
    image,
    durationMs: Math.round(durationMs),
  };
}
