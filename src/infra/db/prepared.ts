// A Kysely query of a fixed shape, built and compiled once and then run with each call's values.
//
// Building a query with Kysely (an immutable tree of operation nodes, then compiling it to SQL)
// costs more than running a primary-key look-up or a single-row insert on SQLite. For the few
// statements on a hot path (a practice answer runs about ten), the query is built once with a
// placeholder for each argument it reads; each call then swaps in the arguments' values at the
// positions where the placeholders ended up, and runs the same SQL text (so SQLite reuses its prepared
// statement, see database.ts). The SQL is compiled on first use, so a PreparedQuery belongs to
// one database: keep it on the service instance that owns the database handle.
//
// The shape must not depend on the arguments: build() may only pass them as values (in
// where/values/set/limit), never choose columns, operators or clauses from them.
import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';

type Executor = Kysely<Database>;

// Mixed case, so that a placeholder passed through toLowerCase()/toUpperCase() is noticed too.
const PLACEHOLDER_PREFIX = '\u0000Sb-Prepared-Arg:';

interface Compiled {
  query: CompiledQuery;
  /** For each SQL parameter: the argument's name, or a constant of the built query. */
  slots: Array<{ arg: string } | { value: unknown }>;
}

export class PreparedQuery<Args extends Record<string, unknown>, Row> {
  private compiled: Compiled | undefined;

  constructor(private readonly build: (db: Executor, args: Args) => Compilable<Row>) {}

  private compile(db: Executor): Compiled {
    if (this.compiled) return this.compiled;
    // Each argument build() reads stands for itself as a placeholder value.
    const read = new Set<string>();
    const placeholders = new Proxy({} as Args, {
      get(_target, name) {
        if (typeof name !== 'string') return undefined;
        read.add(name);
        return `${PLACEHOLDER_PREFIX}${name}`;
      },
      ownKeys() {
        throw new Error('Prepared query arguments cannot be spread or listed, only read by name');
      },
    });
    const query = this.build(db, placeholders).compile();
    const slots = query.parameters.map((value) =>
      typeof value === 'string' && value.startsWith(PLACEHOLDER_PREFIX)
        ? { arg: value.slice(PLACEHOLDER_PREFIX.length) }
        : { value },
    );
    // An argument read but not found among the parameters was changed on the way (a call,
    // a template string): its value would be baked into the SQL once.
    const used = new Set(slots.flatMap((s) => ('arg' in s ? [s.arg] : [])));
    const changed = [...read].filter((name) => !used.has(name));
    if (changed.length > 0) {
      throw new Error(
        `Prepared query changes its argument(s) ${changed.join(', ')} before they reach the SQL; pass them as values`,
      );
    }
    this.compiled = { query, slots };
    return this.compiled;
  }

  /** Run on db (a Kysely instance or a transaction) with these values. */
  execute(db: Executor, args: Args): Promise<QueryResult<Row>> {
    const { query, slots } = this.compile(db);
    const parameters = slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return db.executeQuery<Row>({ ...query, parameters } as CompiledQuery<Row>);
  }

  async rows(db: Executor, args: Args): Promise<Row[]> {
    return (await this.execute(db, args)).rows;
  }

  async first(db: Executor, args: Args): Promise<Row | undefined> {
    return (await this.execute(db, args)).rows[0];
  }
}
