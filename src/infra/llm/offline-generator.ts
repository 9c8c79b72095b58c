// The offline generator: a deterministic stand-in for a language model that needs no network and
// no key. The same feature, prompt and schema always give the same answer. Objects are built by
// walking the JSON Schema of the caller's zod schema (the same schema a real provider is sent):
// strings from the prompt's own words, numbers inside their bounds, arrays of a sensible length,
// the first value of an enum. Its output is labelled `offline: true` wherever it is shown.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const OFFLINE_MODEL = 'offline';

export interface OfflineRequest {
  feature: string;
  promptId: string;
  system: string | undefined;
  user: string;
  maxTokens: number;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  default?: unknown;
  minProperties?: number;
  additionalProperties?: JsonSchema | boolean;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
};

const STOP_WORDS = new Set(
  (
    'a an and are as at be by for from has have in into is it its of on or that the this to was ' +
    'were will with you your we our they their them he she his her not but if then than so such ' +
    'can could should would may might must do does did been being which who whom whose what when ' +
    'where why how all any each every some no nor only own same too very just also about above ' +
    'after again against below between both during further here there once out over under until ' +
    'up down off more most other these those i me my myself use using used write give make json ' +
    'answer return respond following based please one two three'
  ).split(' '),
);

const FALLBACK_WORDS = [
  'practice',
  'concept',
  'example',
  'skill',
  'review',
  'question',
  'answer',
  'step',
  'idea',
  'summary',
];

const LONG_TEXT_KEYS =
  /(description|summary|explanation|content|body|text|markdown|rationale|feedback|details|notes|lesson|paragraph|answer|prompt|hint|reason)/i;
const SHORT_TEXT_KEYS = /(title|name|label|heading|tag|topic|keyword|slug|code|id|skill|concept)/i;

/** A small deterministic PRNG (mulberry32) seeded from a hash. */
class Rng {
  private state: number;
  constructor(seed: Buffer) {
    this.state = seed.readUInt32LE(0);
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

function seedOf(parts: readonly string[]): Buffer {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\u0000');
  return hash.digest();
}

function wordsOf(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)) {
    const w = m[0].replace(/['-]+$/, '');
    if (w.length < 3 || STOP_WORDS.has(w) || /^\d+$/.test(w) || seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words.length > 0 ? words : FALLBACK_WORDS;
}

/** A rough token count (about four characters per token), for the ledger of offline calls. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

class Builder {
  private readonly rng: Rng;
  private readonly words: string[];
  private cursor = 0;
  private counter = 0;

  constructor(
    seed: Buffer,
    sourceText: string,
    private readonly root: JsonSchema,
  ) {
    this.rng = new Rng(seed);
    this.words = wordsOf(sourceText);
    this.cursor = this.rng.int(0, this.words.length - 1);
  }

  private word(): string {
    const w = this.words[this.cursor % this.words.length] as string;
    this.cursor += 1 + (this.rng.next() < 0.3 ? 1 : 0);
    return w;
  }

  private phrase(count: number): string {
    return Array.from({ length: count }, () => this.word()).join(' ');
  }

  sentence(): string {
    return `${capitalise(this.phrase(this.rng.int(6, 12)))}.`;
  }

  private stringFor(key: string, s: JsonSchema): string {
    this.counter += 1;
    const n = this.counter;
    switch (s.format) {
      case 'email':
        return `learner${n}@example.com`;
      case 'uuid': {
        const h = createHash('sha256').update(`${this.rng.next()}:${n}`).digest('hex');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
      }
      case 'date-time':
        return new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
      case 'date':
        return new Date(Date.UTC(2026, 0, 1 + n)).toISOString().slice(0, 10);
      case 'time':
        return '09:00:00';
      case 'uri':
      case 'url':
        return `https://example.com/offline/${this.phrase(2).replaceAll(' ', '-')}`;
      default:
        break;
    }
    let text: string;
    if (LONG_TEXT_KEYS.test(key)) {
      text = Array.from({ length: this.rng.int(2, 3) }, () => this.sentence()).join(' ');
    } else if (SHORT_TEXT_KEYS.test(key)) {
      text = this.phrase(this.rng.int(2, 4)).split(' ').map(capitalise).join(' ');
    } else {
      text = capitalise(this.phrase(this.rng.int(3, 6)));
    }
    const min = s.minLength ?? 0;
    while (text.length < min) text = `${text} ${this.word()}`;
    if (s.maxLength !== undefined && text.length > s.maxLength) {
      text = text.slice(0, s.maxLength).trimEnd();
      while (text.length < min) text += 'x';
    }
    return text;
  }

  private numberFor(s: JsonSchema, integer: boolean): number {
    const step = s.multipleOf ?? (integer ? 1 : 0.01);
    let lo =
      s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + step : undefined);
    let hi =
      s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - step : undefined);
    if (lo === undefined && hi === undefined) {
      lo = integer ? 1 : 0;
      hi = integer ? 10 : 1;
    } else if (lo === undefined) {
      lo = (hi as number) - (integer ? 10 : 1);
    } else if (hi === undefined) {
      hi = lo + (integer ? 10 : 1);
    }
    const first = Math.ceil((lo as number) / step);
    const last = Math.floor((hi as number) / step);
    if (last < first) return lo as number;
    const value = this.rng.int(first, last) * step;
    return integer ? Math.round(value) : Math.round(value * 1e6) / 1e6;
  }

  private resolve(s: JsonSchema): JsonSchema {
    if (!s.$ref) return s;
    const name = s.$ref.replace(/^#\/(\$defs|definitions)\//, '');
    if (s.$ref === '#') return this.root;
    return this.root.$defs?.[name] ?? this.root.definitions?.[name] ?? {};
  }

  value(schema: JsonSchema, key: string, depth: number): unknown {
    const s = this.resolve(schema);
    if (s.const !== undefined) return s.const;
    if (s.enum && s.enum.length > 0) return s.enum[0];
    if (s.default !== undefined) return s.default;
    const options = s.anyOf ?? s.oneOf;
    if (options && options.length > 0) {
      const nonNull = options.filter((o) => this.resolve(o).type !== 'null');
      return this.value(nonNull[0] ?? (options[0] as JsonSchema), key, depth);
    }
    if (s.allOf && s.allOf.length > 0) {
      return this.value(Object.assign({}, ...s.allOf.map((a) => this.resolve(a))), key, depth);
    }
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const type =
      types.find((t) => t !== 'null') ?? types[0] ?? (s.properties ? 'object' : 'string');
    switch (type) {
      case 'string':
        return this.stringFor(key, s);
      case 'integer':
        return this.numberFor(s, true);
      case 'number':
        return this.numberFor(s, false);
      case 'boolean':
        return this.rng.next() < 0.5;
      case 'null':
        return null;
      case 'array':
        return this.arrayFor(s, key, depth);
      case 'object':
        return this.objectFor(s, depth);
      default:
        return null;
    }
  }

  private arrayFor(s: JsonSchema, key: string, depth: number): unknown[] {
    if (s.prefixItems) return s.prefixItems.map((p, i) => this.value(p, `${key}${i}`, depth + 1));
    const min = s.minItems ?? 0;
    const max = s.maxItems ?? Number.POSITIVE_INFINITY;
    // Deep nesting (or recursion through $ref) gets the fewest items the schema allows.
    const wanted = depth > 3 ? min : Math.max(min, Math.min(max, this.rng.int(2, 4)));
    const items = s.items === false || s.items === undefined ? {} : s.items;
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0; out.length < wanted && i < wanted * 4; i++) {
      const v = this.value(items, singular(key), depth + 1);
      const id = JSON.stringify(v);
      if (s.uniqueItems && seen.has(id)) continue;
      seen.add(id);
      out.push(v);
    }
    return out;
  }

  private objectFor(s: JsonSchema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set(s.required ?? []);
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      // Optional properties are filled too, except where recursion would go on forever.
      if (!required.has(k) && depth > 3) continue;
      out[k] = this.value(prop, k, depth + 1);
    }
    const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    for (let i = Object.keys(out).length; i < (s.minProperties ?? 0); i++) {
      out[this.word()] = extra ? this.value(extra, 'value', depth + 1) : this.word();
    }
    return out;
  }
}

function singular(key: string): string {
  return key.endsWith('ies') ? `${key.slice(0, -3)}y` : key.replace(/s$/, '');
}

export class OfflineGenerator {
  /**
   * A value shaped by the schema, before validation (the caller validates it like any model
   * answer). Deterministic: a function of the request and the schema only.
   */
  object(schema: z.ZodType, request: OfflineRequest): { value: unknown; text: string } {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const seed = seedOf([
      'object',
      request.feature,
      request.promptId,
      request.system ?? '',
      request.user,
      JSON.stringify(json),
    ]);
    const builder = new Builder(seed, request.user, json);
    const value = builder.value(json, 'root', 0);
    return { value, text: JSON.stringify(value) };
  }

  /** A few sentences made of the prompt's own words, clipped to the feature's maxTokens. */
  text(request: OfflineRequest): string {
    const seed = seedOf([
      'text',
      request.feature,
      request.promptId,
      request.system ?? '',
      request.user,
    ]);
    const builder = new Builder(seed, request.user, {});
    const sentences = Array.from({ length: 4 }, () => builder.sentence());
    const text = sentences.join(' ');
    return text.slice(0, Math.max(1, request.maxTokens * 4));
  }
}
