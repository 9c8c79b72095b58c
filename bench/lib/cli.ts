// Command-line options (`--name=value`), running a benchmark file on its own, and clean-up on ^C.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length) : fallback;
}

export function listOption(name: string, fallback: string): string[] {
  return option(name, fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function numberOption(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** True when the module at metaUrl is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && metaUrl === pathToFileURL(path.resolve(script)).href;
}

const cleanups = new Set<() => Promise<void>>();

/** Register work to do if the run is interrupted (^C); returns the function that unregisters it. */
export function onInterrupt(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

process.once('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  void Promise.allSettled([...cleanups].map((fn) => fn())).then(() => process.exit(130));
});

/** Run a benchmark's main function, exiting non-zero on an exception. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
