#!/usr/bin/env node
// The skillbridge command line: serve, worker, migrate, seed, create-admin, wipe-db, backup,
// import-graph, export-graph.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { sql } from 'kysely';
import { APP_VERSION, buildApp, defaultWebRoot } from './app.ts';
import { ConfigError, loadConfig, type AppConfig } from './config/env.ts';
import { createReadyDeps, type Deps } from './container.ts';
import { migrateToLatest } from './infra/db/migrate.ts';
import { describeWorker, startJobWorker } from './job-definitions.ts';
import { AppError, ValidationError } from './platform/errors.ts';
import { generateDemoPassword, seedDemoAccounts } from './modules/accounts/seed.ts';
import { registerBanksCommands, startStorage } from './modules/files/banks-cli.ts';
import { registerGraphCommands } from './modules/graph/graph-cli.ts';
import { seedDemoGraph } from './modules/graph/graph-seed.ts';
import { seedDemoQuestions } from './modules/questions/questions-seed.ts';
import { loadRolesFile } from './modules/paths/roles-config.ts';
import { seedDemoRecommendations } from './modules/recommendations/recommendations-seed.ts';
import { seedDemoTracker } from './modules/tracker/tracker-seed.ts';
import { registerQuestionsCommands } from './modules/questions/questions-cli.ts';
import { registerTaggingCommands } from './modules/questions/tagging-cli.ts';
import { registerMasteryCommands } from './modules/mastery/mastery-cli.ts';
import { registerAssessmentCommands } from './modules/assessment/assessment-cli.ts';

const out = (line = '') => process.stdout.write(line + '\n');

async function withDeps<T>(fn: (deps: Deps, config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const deps = await createReadyDeps(config);
  try {
    return await fn(deps, config);
  } finally {
    await deps.close();
  }
}

async function prompt(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question(question);
    muted = options.hidden === true;
    const value = await answer;
    if (options.hidden) process.stdout.write('\n');
    return value.trim();
  } finally {
    rl.close();
  }
}

async function seedDemo(deps: Deps): Promise<void> {
  const password = deps.config.demoPassword ?? generateDemoPassword();
  const result = await seedDemoAccounts(deps.accounts, password);
  if (result.created.length === 0) {
    out('Demo accounts already exist; nothing created.');
  } else {
    out('Demo accounts created:');
    for (const email of result.created) out(`  ${email}`);
    out(`  password: ${password}${deps.config.demoPassword ? ' (from DEMO_PASSWORD)' : ''}`);
  }
  const graph = await seedDemoGraph(deps.graph);
  if (graph.status === 'rejected') throw new Error('The demo knowledge graph is invalid');
  if (graph.status === 'imported') {
    const { concepts, skills, edges } = graph.summary;
    out(`Demo knowledge graph imported: ${concepts} concepts, ${skills} skills, ${edges} edges.`);
  }
  const questions = await seedDemoQuestions(deps.questions);
  if (questions.status === 'imported') {
    out(`Demo question bank imported: ${questions.result.imported} published questions.`);
  }
  try {
    const roles = await deps.paths.seedRoles(loadRolesFile());
    if (roles.status === 'imported')
      out(`Role catalogue seeded: ${roles.roles} roles (config/roles.yaml).`);
  } catch (err) {
    // A catalogue that does not fit the graph in the database leaves the catalogue empty (staff
    // can add roles in the app); it does not stop the rest of the demo data or the server.
    if (!(err instanceof ValidationError || err instanceof ConfigError)) throw err;
    process.stderr.write(`The role catalogue was not seeded: ${err.message}\n`);
  }
  const tracker = await seedDemoTracker(deps);
  if (tracker.status === 'seeded') {
    out(
      `Demo exam papers: ${tracker.papers} papers and ${tracker.results} results of ${'learner@example.com'}.`,
    );
  }
  const recommendations = await seedDemoRecommendations(deps);
  if (recommendations.status === 'seeded') {
    out(
      `Demo recommendation sets: ${recommendations.active} active and ${recommendations.archived} archived.`,
    );
  }
}

async function serve(options: { worker: boolean }): Promise<void> {
  const config = loadConfig();
  const deps = await createReadyDeps(config);
  if (!config.isProduction && (await deps.accounts.countUsers()) === 0) {
    await seedDemo(deps);
  }
  await startStorage(deps);
  const app = await buildApp(deps, { webRoot: defaultWebRoot });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    deps.logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      deps.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await app.close();
      // Stops the worker (running jobs finish or go back to the queue), then the database.
      await deps.close();
      process.exit(0);
    } catch (err) {
      deps.logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  // Expired sessions and old jobs are purged by scheduled jobs, which a worker runs.
  if (options.worker) await startJobWorker(deps.jobs);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  out(`SkillBridge ${APP_VERSION} listening on http://${shownHost}:${port}`);
  out(
    `  database: ${config.database.dialect}${config.database.dialect === 'sqlite' ? ` (${config.database.file})` : ''}`,
  );
  out(
    options.worker
      ? `  background worker: ${describeWorker(deps.jobs, config)}`
      : '  background worker: off (--no-worker); run `skillbridge worker` to process jobs',
  );
  if (!config.isProduction) {
    out(
      '  log in as learner@example.com, instructor@example.com or admin@example.com (demo password shown on first start, or DEMO_PASSWORD)',
    );
  }
}

/** `skillbridge worker`: background jobs only, no HTTP; SIGTERM stops it gracefully. */
async function worker(): Promise<void> {
  const config = loadConfig();
  const deps = await createReadyDeps(config);
  await startStorage(deps);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    deps.logger.info(
      { signal },
      'worker shutting down: running jobs finish or go back to the queue',
    );
    const force = setTimeout(() => {
      deps.logger.error('worker shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      await deps.close();
      process.exit(0);
    } catch (err) {
      deps.logger.error({ err }, 'error during worker shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await startJobWorker(deps.jobs);
  out(`SkillBridge ${APP_VERSION} worker started (no HTTP server)`);
  out(
    `  database: ${config.database.dialect}${config.database.dialect === 'sqlite' ? ` (${config.database.file})` : ''}`,
  );
  out(`  background worker: ${describeWorker(deps.jobs, config)}`);
}

async function createAdmin(): Promise<void> {
  await withDeps(async (deps, config) => {
    let email = config.initialAdmin.email;
    let password = config.initialAdmin.password;
    if (!email || !password) {
      if (!process.stdin.isTTY) {
        throw new AppError(
          400,
          'MISSING_INPUT',
          'Missing input',
          'Set INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD, or run this in a terminal to be asked.',
        );
      }
      email ??= await prompt('Admin email: ');
      password ??= await prompt('Admin password: ', { hidden: true });
    }
    const existing = await deps.accounts.findUserByEmail(email);
    if (existing) {
      if (existing.role === 'admin') {
        out(`${existing.email} is already an administrator; nothing changed.`);
        return;
      }
      throw new AppError(
        409,
        'EMAIL_TAKEN',
        'Conflict',
        `${existing.email} exists with role ${existing.role}; change its role from the admin page instead.`,
      );
    }
    const user = await deps.accounts.createUser(
      null,
      { email, name: 'Administrator', password, role: 'admin' },
      { ip: null, userAgent: 'cli' },
    );
    out(`Administrator ${user.email} created.`);
  });
}

async function wipeDb(options: { yes?: boolean }): Promise<void> {
  const config = loadConfig();
  const target =
    config.database.dialect === 'sqlite' ? config.database.file : 'the PostgreSQL database';
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw new AppError(
        400,
        'CONFIRMATION_REQUIRED',
        'Confirmation required',
        'wipe-db deletes every table; run it in a terminal to confirm, or pass --yes.',
      );
    }
    const answer = await prompt(`This deletes ALL data in ${target}. Type "wipe" to confirm: `);
    if (answer !== 'wipe') {
      out('Not confirmed; nothing deleted.');
      return;
    }
  }
  await withDeps(async (deps) => {
    const tables = await deps.database.db.introspection.getTables();
    if (deps.database.dialect === 'sqlite')
      await sql`pragma foreign_keys = off`.execute(deps.database.db);
    for (const table of tables) {
      const cascade = deps.database.dialect === 'postgres' ? sql` cascade` : sql``;
      await sql`drop table if exists ${sql.table(table.name)}${cascade}`.execute(deps.database.db);
    }
    if (deps.database.dialect === 'sqlite')
      await sql`pragma foreign_keys = on`.execute(deps.database.db);
    await migrateToLatest(deps.database);
    out(`Wiped ${tables.length} tables in ${target}; the schema was recreated empty.`);
  });
}

async function backup(options: { out?: string }): Promise<void> {
  const config = loadConfig();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (config.database.dialect === 'postgres') {
    const file = options.out ?? `skillbridge-${stamp}.dump`;
    out('PostgreSQL is backed up with its own tool. Run:');
    out(`  pg_dump --format=custom --no-owner --file=${JSON.stringify(file)} "$DATABASE_URL"`);
    out(
      'Restore with: pg_restore --clean --no-owner --dbname="$DATABASE_URL" ' +
        JSON.stringify(file),
    );
    return;
  }
  const file = path.resolve(
    options.out ?? path.join(config.dataDir, 'backups', `skillbridge-${stamp}.db`),
  );
  mkdirSync(path.dirname(file), { recursive: true });
  await withDeps(async (deps) => {
    if (!deps.database.sqlite) throw new Error('SQLite connection missing');
    // The online backup API copies a consistent snapshot while the server keeps running.
    await deps.database.sqlite.backup(file);
  });
  out(`Backup written to ${file}`);
}

export function buildCli(): Command {
  const program = new Command('skillbridge')
    .description('SkillBridge adaptive learning platform')
    .version(APP_VERSION);
  program
    .command('serve')
    .description('run the web server (API, web app and, by default, the background worker)')
    .option('--no-worker', 'do not process background jobs in this process')
    .action(serve);
  program
    .command('worker')
    .description('process background jobs only (no web server); run as many as you need')
    .action(worker);
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .action(async () => {
      await withDeps(async () => undefined);
      out('Database schema is up to date.');
    });
  program
    .command('seed')
    .description('create demo data')
    .addOption(
      new Option('--demo', 'create the demo learner, instructor and admin').makeOptionMandatory(),
    )
    .option('--force', 'allow seeding in production mode')
    .action(async (options: { force?: boolean }) => {
      const config = loadConfig();
      if (config.isProduction && !options.force) {
        throw new AppError(
          400,
          'PRODUCTION',
          'Refused',
          'Demo accounts are never created in production mode; pass --force if you really mean it.',
        );
      }
      await withDeps((deps) => seedDemo(deps));
    });
  program
    .command('create-admin')
    .description(
      'create an administrator from INITIAL_ADMIN_EMAIL / INITIAL_ADMIN_PASSWORD, or ask',
    )
    .action(createAdmin);
  program
    .command('wipe-db')
    .description('delete all data and recreate an empty schema')
    .option('--yes', 'do not ask for confirmation')
    .action(wipeDb);
  program
    .command('backup')
    .description(
      'write an online backup of the SQLite database (prints the pg_dump command for PostgreSQL)',
    )
    .option('--out <file>', 'where to write the backup')
    .action(backup);
  registerBanksCommands(program, (fn) => withDeps((deps) => fn(deps)));
  registerGraphCommands(program, (fn) => withDeps((deps) => fn(deps)));
  registerQuestionsCommands(program, (fn) => withDeps((deps) => fn(deps)));
  registerTaggingCommands(program);
  registerMasteryCommands(program, (fn) => withDeps((deps) => fn(deps)));
  registerAssessmentCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AppError) {
      process.stderr.write(`skillbridge: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `skillbridge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  }
}

await main(process.argv);
