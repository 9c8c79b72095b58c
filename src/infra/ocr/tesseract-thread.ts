// One tesseract.js engine in its own worker thread. We host tesseract.js's worker script
// ourselves instead of calling its createWorker(), because createWorker (7.0.0):
// - never settles, and keeps the thread alive with no handle to stop it, when the language data
//   cannot be read or initialisation fails (only a failure of its first step rejects);
// - listens to no 'error' or 'exit' event of the thread, so a crashed thread leaves its promises
//   pending forever or, for an uncaught error, takes the whole process down;
// - throws from its message handler on any failed job unless an errorHandler is given.
// The script speaks a small protocol: {workerId, jobId, action, payload} in, and
// {jobId, action, status: resolve | reject | progress, data} out.
//
// No network: the English data is read from a local directory (langPath is a path, not a URL),
// nothing is cached (cacheMethod none: no copy written to the working directory), the WASM core
// is require()d from the installed tesseract.js-core, and images are passed as bytes.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { OcrEngineError } from './ocr.ts';

const require = createRequire(import.meta.url);

/** tesseract.js's Node worker script (the same file its createWorker() starts). */
export const TESSERACT_WORKER_SCRIPT =
  require.resolve('tesseract.js/src/worker-script/node/index.js');

/**
 * The English LSTM model installed with @tesseract.js-data/eng (best_int: the one tesseract.js
 * itself would download for its default LSTM-only engine).
 */
export const ENGLISH_LANG_PATH = path.join(
  path.dirname(require.resolve('@tesseract.js-data/eng/package.json')),
  '4.0.0_best_int',
);

/** tesseract.js OEM.LSTM_ONLY. */
const OEM_LSTM_ONLY = 1;

export interface TesseractThreadOptions {
  /** Directory holding eng.traineddata.gz. */
  langPath: string;
  logger: Logger;
  /** Loading the engine and the language must finish within this. */
  startTimeoutMs: number;
}

/** What tesseract.js's recognize action resolves with (the parts we read). */
export interface TesseractBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface TesseractWord {
  text: string;
  confidence: number;
  bbox: TesseractBox;
}
export interface TesseractLine {
  text: string;
  confidence: number;
  bbox: TesseractBox;
  words: TesseractWord[];
}
export interface TesseractPage {
  text: string | null;
  confidence: number | null;
  blocks: { paragraphs: { lines: TesseractLine[] }[] }[] | null;
}

interface Reply {
  jobId: string;
  action: string;
  status: 'resolve' | 'reject' | 'progress';
  data: unknown;
}

interface Pending {
  resolve(data: unknown): void;
  reject(err: Error): void;
  onProgress?: ((fraction: number) => void) | undefined;
}

let threadCounter = 0;

export class TesseractThread {
  readonly id: string;
  private readonly worker: Worker;
  private readonly pending = new Map<string, Pending>();
  private jobCounter = 0;
  private deadReason: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly options: TesseractThreadOptions) {
    this.id = `ocr-${++threadCounter}`;
    // The script is plain CommonJS: no loader flags of the parent (tsx) are needed in the thread,
    // and leaving them out halves its start time. (NODE_OPTIONS still applies.) stdout/stderr:
    // leptonica and tesseract print warnings there; they go to the log, not the console.
    this.worker = new Worker(TESSERACT_WORKER_SCRIPT, {
      execArgv: [],
      stderr: true,
      stdout: true,
    });
    const log = options.logger.child({ ocrThread: this.id });
    const forward = (chunk: Buffer) => {
      const text = chunk.toString('utf8').trim();
      if (text) log.debug({ engineOutput: text }, 'tesseract output');
    };
    this.worker.stderr.on('data', forward);
    this.worker.stdout.on('data', forward);
    this.worker.on('message', (reply: Reply) => this.onReply(reply));
    this.worker.on('error', (err) => {
      log.error({ err }, 'OCR worker thread crashed');
      this.die(new OcrEngineError(`The OCR engine crashed: ${err.message}`, { cause: err }));
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.die(new OcrEngineError(`The OCR engine stopped (exit code ${code}).`));
        resolve();
      });
    });
  }

  /** A thread with the engine and the English data loaded; rejects (and stops it) otherwise. */
  static async start(options: TesseractThreadOptions): Promise<TesseractThread> {
    const thread = new TesseractThread(options);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new OcrEngineError(`The OCR engine did not start within ${options.startTimeoutMs} ms.`),
          ),
        options.startTimeoutMs,
      );
    });
    try {
      await Promise.race([thread.initialise(), timeout]);
      return thread;
    } catch (err) {
      await thread.terminate();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async initialise(): Promise<void> {
    await this.call('load', { options: { lstmOnly: true, corePath: undefined, logging: false } });
    await this.call('loadLanguage', {
      langs: 'eng',
      options: {
        langPath: this.options.langPath,
        cachePath: this.options.langPath,
        cacheMethod: 'none',
        gzip: true,
        lstmOnly: true,
      },
    });
    await this.call('initialize', { langs: 'eng', oem: OEM_LSTM_ONLY });
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  /** Keep the process alive only while the thread has work. */
  setBusy(busy: boolean): void {
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  /**
   * Recognise one (already checked) image. Aborting terminates the thread at once: tesseract
   * cannot stop a recognition part-way, so the thread is not reusable afterwards.
   */
  async recognise(
    image: Uint8Array,
    onProgress?: (fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<TesseractPage> {
    signal?.throwIfAborted();
    const onAbort = () => {
      this.die(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      void this.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return (await this.call(
        'recognize',
        { image, options: {}, output: { text: true, blocks: true } },
        onProgress,
      )) as TesseractPage;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async terminate(): Promise<void> {
    this.die(new OcrEngineError('The OCR engine was stopped.'));
    await this.worker.terminate();
    await this.exited;
  }

  private call(
    action: string,
    payload: unknown,
    onProgress?: (fraction: number) => void,
  ): Promise<unknown> {
    if (this.deadReason) return Promise.reject(this.deadReason);
    const jobId = `${this.id}-job-${++this.jobCounter}`;
    return new Promise((resolve, reject) => {
      this.pending.set(jobId, { resolve, reject, onProgress });
      this.worker.postMessage({ workerId: this.id, jobId, action, payload });
    });
  }

  private onReply(reply: Reply): void {
    const pending = this.pending.get(reply.jobId);
    if (!pending) return;
    if (reply.status === 'progress') {
      const data = reply.data as { status?: unknown; progress?: unknown } | null;
      if (data?.status === 'recognizing text' && typeof data.progress === 'number') {
        pending.onProgress?.(Math.min(1, Math.max(0, data.progress)));
      }
      return;
    }
    this.pending.delete(reply.jobId);
    if (reply.status === 'resolve') {
      pending.resolve(reply.data);
      return;
    }
    const message = String(reply.data).replace(/^Error:\s*/, '');
    pending.reject(new OcrEngineError(`The OCR engine failed (${reply.action}): ${message}`));
  }

  /** Fail everything in flight with reason; the thread takes no more work. */
  private die(reason: Error): void {
    this.deadReason ??= reason;
    for (const [jobId, pending] of this.pending) {
      this.pending.delete(jobId);
      pending.reject(this.deadReason);
    }
  }
}
