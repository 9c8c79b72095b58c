// Environment parsed once into a typed AppConfig. Nothing else reads process.env.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectPath } from '../platform/paths.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .refine((v) => /^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(v), {
        message: 'must start with sqlite: or postgres://',
      })
      .optional(),
  ),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  SESSION_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(8),
  COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, booleanish.optional()),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16).optional()),
  DEMO_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8).optional()),
  INITIAL_ADMIN_EMAIL: z.preprocess(emptyAsUndefined, z.email().optional()),
  INITIAL_ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  // LLM gateway (src/infra/llm): keys and base URLs only ever come from here, never from a request.
  OPENAI_API_KEY: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  ANTHROPIC_API_KEY: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  ANTHROPIC_BASE_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  OLLAMA_BASE_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  LLM_DAILY_TOKEN_BUDGET_PER_USER: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
  LLM_CONFIG_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  // Background jobs (src/infra/queue) and OCR (src/infra/ocr).
  JOB_QUEUE: z.enum(['embedded', 'pgboss']).default('embedded'),
  JOB_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  JOB_POLL_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(250),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  OCR_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  // File storage (src/infra/storage): local files under DATA_DIR/blobs, or any S3-compatible store.
  STORAGE: z.enum(['local', 's3']).default('local'),
  S3_ENDPOINT: z.preprocess(emptyAsUndefined, z.url({ message: 'must be a URL' }).optional()),
  S3_REGION: z.preprocess(emptyAsUndefined, z.string().min(1).default('us-east-1')),
  S3_BUCKET: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
      .optional(),
  ),
  S3_ACCESS_KEY_ID: z.preprocess(emptyAsUndefined, z.string().optional()),
  S3_SECRET_ACCESS_KEY: z.preprocess(emptyAsUndefined, z.string().optional()),
  S3_FORCE_PATH_STYLE: z.preprocess(emptyAsUndefined, booleanish.default(false)),
  S3_CREATE_BUCKET: z.preprocess(emptyAsUndefined, booleanish.default(true)),
  PRESIGN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(300),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(50 * 1024 * 1024),
  BANKS_CACHE_DIR: z.preprocess(emptyAsUndefined, z.string().optional()),
  BANKS_PULL_ON_START: z.preprocess(emptyAsUndefined, booleanish.default(false)),
  MASTERY_THRESHOLD: z.coerce
    .number({ message: 'must be a number above 0 and at most 1' })
    .gt(0, { message: 'must be above 0 and at most 1' })
    .max(1, { message: 'must be above 0 and at most 1' })
    .default(0.95),
  MASTERY_MIN_LEARNERS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  MASTERY_FIT_RESTARTS: z.coerce.number().int().min(1).max(50).default(5),
  PLACEMENT_MAX_ITEMS: z.coerce.number().int().min(1).max(200).default(30),
  PLACEMENT_TARGET_SE: z.coerce.number().gt(0).max(2).default(0.3),
  PLACEMENT_EXPOSURE: z.coerce.number().int().min(1).max(20).default(3),
  PATHS_MAX_ACTIVE: z.coerce.number().int().min(1).max(50).default(3),
  PATHS_ALLOW_MARK_COMPLETE: z.preprocess(emptyAsUndefined, booleanish.default(true)),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the configuration reads; .env.example documents each one. */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export type DatabaseConfig =
  | { dialect: 'sqlite'; file: string; url: string }
  | { dialect: 'postgres'; url: string; poolMax: number };

export interface AppConfig {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseConfig;
  session: {
    secret: string;
    ttlMs: number;
    cookieName: string;
    cookieSecure: Env['COOKIE_SECURE'];
  };
  trustProxy: boolean;
  bodyLimitBytes: number;
  login: { maxFailures: number; lockoutMs: number; rateLimitPerMinute: number };
  passwordMinLength: number;
  logLevel: Env['LOG_LEVEL'];
  metricsToken: string | undefined;
  demoPassword: string | undefined;
  initialAdmin: { email: string | undefined; password: string | undefined };
  shutdownTimeoutMs: number;
  llm: LlmEnvConfig;
  storage: StorageConfig;
  uploads: { maxBytes: number };
  banks: { cacheDir: string; pullOnStart: boolean };
  jobs: JobsConfig;
  mastery: { threshold: number; minLearners: number; fitRestarts: number };
  placement: { maxItems: number; targetSe: number; exposureK: number };
  /** Learning paths: active paths per learner; whether "mark complete" is allowed at all. */
  paths: { maxActive: number; allowMarkComplete: boolean };
  ocr: { workers: number };
}

export interface JobsConfig {
  /** embedded: the jobs table worked in-process (SQLite or PostgreSQL); pgboss: PostgreSQL only. */
  queue: Env['JOB_QUEUE'];
  /** Jobs one worker process runs at the same time. */
  concurrency: number;
  /** How often an idle worker looks for due jobs (an enqueue in the same process wakes it). */
  pollIntervalMs: number;
  /** A running job whose worker stops renewing its lease for this long is retried. */
  leaseMs: number;
  /** Finished jobs are deleted after this many days. */
  retentionDays: number;
}

function jobsConfig(env: Env, database: DatabaseConfig): JobsConfig {
  if (env.JOB_QUEUE === 'pgboss' && database.dialect !== 'postgres') {
    throw new ConfigError(
      'Invalid configuration:\n  JOB_QUEUE: pgboss needs PostgreSQL; set DATABASE_URL=postgres://… or use JOB_QUEUE=embedded with SQLite',
    );
  }
  return {
    queue: env.JOB_QUEUE,
    concurrency: env.JOB_WORKER_CONCURRENCY,
    pollIntervalMs: env.JOB_POLL_INTERVAL_MS,
    leaseMs: env.JOB_LEASE_SECONDS * 1000,
    retentionDays: env.JOB_RETENTION_DAYS,
  };
}

export interface S3StorageConfig {
  endpoint: string;
  region: string;
  bucket: string;
  /** Unset: the AWS SDK's default credential chain (environment, instance role…). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  /** Create the bucket at start-up when it does not exist. */
  createBucket: boolean;
}

export type StorageConfig = { presignTtlSeconds: number } & (
  { driver: 'local'; localDir: string } | { driver: 's3'; s3: S3StorageConfig }
);

function storageConfig(env: Env, dataDir: string): StorageConfig {
  const presignTtlSeconds = env.PRESIGN_TTL_SECONDS;
  if (env.STORAGE === 'local') {
    return { driver: 'local', localDir: path.join(dataDir, 'blobs'), presignTtlSeconds };
  }
  const missing = (['S3_ENDPOINT', 'S3_BUCKET'] as const).filter((name) => !env[name]);
  if (missing.length > 0 || !env.S3_ENDPOINT || !env.S3_BUCKET) {
    throw new ConfigError(
      `Invalid configuration:\n${missing.map((name) => `  ${name}: required when STORAGE=s3`).join('\n')}`,
    );
  }
  if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(
      'Invalid configuration:\n  S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY: set both, or neither to use the default AWS credential chain',
    );
  }
  return {
    driver: 's3',
    presignTtlSeconds,
    s3: {
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      credentials:
        env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
          : undefined,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      createBucket: env.S3_CREATE_BUCKET,
    },
  };
}

/** Where the LLM gateway's keys, base URLs, files and budget come from. */
export interface LlmEnvConfig {
  /** Holds llm.yaml, pricing.yaml and prompts/; the repository's config/ unless LLM_CONFIG_DIR. */
  configDir: string;
  openaiApiKey: string | undefined;
  openaiBaseUrl: string | undefined;
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  ollamaBaseUrl: string | undefined;
  /** Input + output tokens per user and UTC day with real providers; 0 = unlimited. */
  dailyTokenBudgetPerUser: number;
}

const defaultLlmConfigDir = projectPath('config');

function llmConfig(env: Env): LlmEnvConfig {
  return {
    configDir: env.LLM_CONFIG_DIR ? path.resolve(env.LLM_CONFIG_DIR) : defaultLlmConfigDir,
    openaiApiKey: env.OPENAI_API_KEY,
    openaiBaseUrl: env.OPENAI_BASE_URL,
    anthropicApiKey: env.ANTHROPIC_API_KEY,
    anthropicBaseUrl: env.ANTHROPIC_BASE_URL,
    ollamaBaseUrl: env.OLLAMA_BASE_URL,
    dailyTokenBudgetPerUser: env.LLM_DAILY_TOKEN_BUDGET_PER_USER,
  };
}

/** Resolve `sqlite:relative/path` against the working directory; `sqlite::memory:` stays in memory. */
export function parseDatabaseUrl(url: string, poolMax: number): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
    const file = rest === ':memory:' ? ':memory:' : path.resolve(rest);
    return { dialect: 'sqlite', file, url };
  }
  return { dialect: 'postgres', url, poolMax };
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`)
    .join('\n');
}

/**
 * The embedded default keeps a generated session secret in DATA_DIR so sessions survive
 * restarts. Production must be given one explicitly.
 */
function resolveSessionSecret(env: Env, dataDir: string): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -hex 32`)',
    );
  }
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${formatIssues(parsed.error)}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const databaseUrl = env.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'skillbridge.db')}`;
  return {
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    host: env.HOST,
    port: env.PORT,
    dataDir,
    database: parseDatabaseUrl(databaseUrl, env.DB_POOL_MAX),
    session: {
      secret: resolveSessionSecret(env, dataDir),
      ttlMs: env.SESSION_TTL_HOURS * 3600_000,
      cookieName: 'sb_session',
      cookieSecure: env.COOKIE_SECURE,
    },
    trustProxy: env.TRUST_PROXY ?? false,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    login: {
      maxFailures: env.LOGIN_MAX_FAILURES,
      lockoutMs: env.LOGIN_LOCKOUT_MINUTES * 60_000,
      rateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
    },
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    logLevel: env.LOG_LEVEL,
    metricsToken: env.METRICS_TOKEN,
    demoPassword: env.DEMO_PASSWORD,
    initialAdmin: { email: env.INITIAL_ADMIN_EMAIL, password: env.INITIAL_ADMIN_PASSWORD },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    llm: llmConfig(env),
    storage: storageConfig(env, dataDir),
    uploads: { maxBytes: env.UPLOAD_MAX_BYTES },
    banks: {
      cacheDir: path.resolve(env.BANKS_CACHE_DIR ?? path.join(dataDir, 'banks')),
      pullOnStart: env.BANKS_PULL_ON_START,
    },
    jobs: jobsConfig(env, parseDatabaseUrl(databaseUrl, env.DB_POOL_MAX)),
    ocr: { workers: env.OCR_WORKERS },
    mastery: {
      threshold: env.MASTERY_THRESHOLD,
      minLearners: env.MASTERY_MIN_LEARNERS,
      fitRestarts: env.MASTERY_FIT_RESTARTS,
    },
    placement: {
      maxItems: env.PLACEMENT_MAX_ITEMS,
      targetSe: env.PLACEMENT_TARGET_SE,
      exposureK: env.PLACEMENT_EXPOSURE,
    },
    paths: {
      maxActive: env.PATHS_MAX_ACTIVE,
      allowMarkComplete: env.PATHS_ALLOW_MARK_COMPLETE,
    },
  };
}
