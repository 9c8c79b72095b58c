// Storage keys: one strict pattern for every adapter, so no key can name anything outside the
// store. A key is 1-1024 characters of `/`-separated segments; a segment starts with a letter,
// digit or underscore and continues with letters, digits and `. _ - + = @ ,` (single inner spaces
// allowed, for bank files named by people). That rules out `..` and `.` segments, hidden files,
// empty segments (leading, trailing or doubled `/`), absolute paths, backslashes, drive letters,
// percent-encoding, NUL and every other control character.
import { randomUUID } from 'node:crypto';
import { InvalidBlobKeyError } from './blob-store.ts';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._+=@,-]*(?: [A-Za-z0-9._+=@,-]+)*$/;
/** A prefix may end part-way through a segment. */
const PARTIAL_SEGMENT = /^(?:[A-Za-z0-9_][A-Za-z0-9._+=@, -]*)?$/;
export const MAX_KEY_LENGTH = 1024;
const MAX_SEGMENT_LENGTH = 255;

function segmentProblem(segment: string): string | undefined {
  if (segment.length === 0) return 'has an empty path segment (leading, trailing or double /)';
  if (segment === '.' || segment === '..') return 'has a . or .. segment';
  if (segment.length > MAX_SEGMENT_LENGTH)
    return `has a segment over ${MAX_SEGMENT_LENGTH} characters`;
  if (!SEGMENT.test(segment)) {
    return 'may only use letters, digits, _ . - + = @ , and single inner spaces, and no segment may start with . or -';
  }
  return undefined;
}

/** Why key is not a valid storage key, or undefined when it is. */
export function blobKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'is empty';
  if (key.length > MAX_KEY_LENGTH) return `is longer than ${MAX_KEY_LENGTH} characters`;
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) return problem;
  }
  return undefined;
}

export function isValidBlobKey(key: string): boolean {
  return blobKeyProblem(key) === undefined;
}

/** Shown in errors: short, and with control characters made visible. */
function shown(key: string): string {
  const printable = JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
  return printable;
}

export function assertValidBlobKey(key: string): void {
  const problem = blobKeyProblem(key);
  if (problem) throw new InvalidBlobKeyError(`The storage key ${shown(key)} ${problem}.`);
}

/** '' (everything), or whole valid segments followed by an optional partial one. */
export function assertValidBlobPrefix(prefix: string): void {
  if (prefix === '') return;
  if (prefix.length > MAX_KEY_LENGTH) {
    throw new InvalidBlobKeyError(
      `The storage prefix is longer than ${MAX_KEY_LENGTH} characters.`,
    );
  }
  const segments = prefix.split('/');
  const last = segments.pop() ?? '';
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) throw new InvalidBlobKeyError(`The storage prefix ${shown(prefix)} ${problem}.`);
  }
  if (!PARTIAL_SEGMENT.test(last)) {
    throw new InvalidBlobKeyError(
      `The storage prefix ${shown(prefix)} may only use letters, digits, _ . - + = @ , and spaces.`,
    );
  }
}

/** A server-generated key for an upload: `uploads/<yyyy>/<mm>/<uuid>`. */
export function newUploadKey(now: Date): string {
  const yyyy = String(now.getUTCFullYear()).padStart(4, '0');
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `uploads/${yyyy}/${mm}/${randomUUID()}`;
}
