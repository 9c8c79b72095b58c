// Knowledge graph (issue 4, performance): import of a large graph and transitive prerequisites.
//
//   node --import tsx bench/graph-import.ts [--dbs=sqlite,postgres] [--queries=300]
//        [--concepts=20000] [--skills=80000] [--edges=300000] [--seed=42]
//
// A deterministic generator writes the three CSV files of a curriculum-shaped graph:
// - 20 subjects, each a concept tree 1 + 9 + 90 + 900 deep (20 000 concepts by default);
// - skills spread over the leaf concepts in order (80 000 by default);
// - prerequisite edges between skills of the same level-1 topic (about 440 skills), ~80 % from
//   the 30 skills before in topic order and ~20 % from anywhere earlier in the topic, so they are
//   acyclic and a skill's transitive prerequisites are (nearly) every earlier skill of its topic;
// - a prerequisite between consecutive sibling concepts, and part_of edges from a skill to a
//   second leaf concept of the same level-2 concept, to make up the edge count (300 000).
// Each step against each database runs in its own process, like a CLI run (so the peak RSS,
// process.resourceUsage().maxRSS, is that step's own):
// 1. import into an empty, migrated database (what `skillbridge import-graph` runs, without
//    the progress bar), timed;
// 2. the same files again (nothing changes: the idempotent path), timed;
// 3. GraphService.prerequisites(externalId) — look-up by external id, the walk over the index, the
//    depths and the node rows — for --queries random skills after 20 warm-up calls: median, p90
//    and max time, and how many prerequisites came back; the first call, which loads the
//    in-memory prerequisite index, is timed on its own; then the export of the three files.
// Raw figures go to bench/.tmp/graph-import-<time>.json.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parseDatabaseUrl } from '../src/config/env.ts';
import { createDatabase } from '../src/infra/db/database.ts';
import { migrateToLatest } from '../src/infra/db/migrate.ts';
import { importGraphDir } from '../src/modules/graph/graph-cli.ts';
import { GraphService } from '../src/modules/graph/graph-service.ts';
import { systemClock } from '../src/platform/clock.ts';
import { pgUrlFor, uniqueDbName, withPgAdmin } from '../test/helpers/pg-admin.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import { isMain, listOption, numberOption, option, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';
import { tempDir } from './lib/tmp.ts';

export const TARGETS = { sqliteImportS: 30, postgresImportS: 60, rssMiB: 500, prerequisitesMs: 10 };

/** mulberry32: a small, seedable PRNG, so every run writes the same graph. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Buffered line writer for big files. */
class Lines {
  private readonly stream;
  private buffer: string[] = [];
  constructor(file: string) {
    this.stream = createWriteStream(file);
  }
  async add(line: string) {
    this.buffer.push(line);
    if (this.buffer.length >= 5000) await this.flush();
  }
  async flush() {
    if (this.buffer.length === 0) return;
    const ok = this.stream.write(this.buffer.join('\n') + '\n');
    this.buffer = [];
    if (!ok) await once(this.stream, 'drain');
  }
  async close() {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export interface GeneratedGraph {
  dir: string;
  concepts: number;
  skills: number;
  edges: { prerequisite: number; conceptPrerequisite: number; partOf: number; total: number };
  bytes: number;
  skillIds: string[];
}

export async function generateGraph(
  dir: string,
  size: { concepts: number; skills: number; edges: number; seed: number },
): Promise<GeneratedGraph> {
  const random = prng(size.seed);
  const subjects = Math.max(1, Math.round(size.concepts / 1000));
  mkdirSync(dir, { recursive: true });

  // Concepts: subject root, 9 topics, 10 subtopics each, 10 leaves each (1000 per subject).
  const concepts = new Lines(path.join(dir, 'concept_nodes.csv'));
  await concepts.add('id,name,description,parent_id,subject,level');
  const leaves: Array<{ id: string; topic: string; subtopic: string }> = [];
  const conceptPrereqs: Array<[string, string]> = [];
  let conceptCount = 0;
  for (let s = 0; s < subjects; s++) {
    const root = `c${s}`;
    await concepts.add(`${root},Subject ${s},Concepts of subject ${s},,Subject ${s},`);
    conceptCount++;
    for (let a = 0; a < 9; a++) {
      const topic = `${root}.${a}`;
      await concepts.add(`${topic},Topic ${s}.${a},A topic,${root},Subject ${s},L${a}`);
      conceptCount++;
      if (a > 0) conceptPrereqs.push([`${root}.${a - 1}`, topic]);
      for (let b = 0; b < 10; b++) {
        const sub = `${topic}.${b}`;
        await concepts.add(`${sub},Subtopic ${s}.${a}.${b},A subtopic,${topic},Subject ${s},L${a}`);
        conceptCount++;
        if (b > 0) conceptPrereqs.push([`${topic}.${b - 1}`, sub]);
        for (let c = 0; c < 10; c++) {
          const leaf = `${sub}.${c}`;
          await concepts.add(
            `${leaf},Concept ${s}.${a}.${b}.${c},"A leaf concept, with skills",${sub},Subject ${s},L${a}`,
          );
          conceptCount++;
          if (c > 0) conceptPrereqs.push([`${sub}.${c - 1}`, leaf]);
          leaves.push({ id: leaf, topic, subtopic: sub });
        }
      }
    }
  }
  await concepts.close();

  // Skills over the leaves in order; grouped by topic for the prerequisite edges.
  const skills = new Lines(path.join(dir, 'skill_nodes.csv'));
  await skills.add('id,name,description,concept_id,difficulty');
  const skillIds: string[] = [];
  const byTopic = new Map<string, number[]>();
  const skillLeaf: number[] = [];
  const base = Math.floor(size.skills / leaves.length);
  const extra = size.skills - base * leaves.length;
  for (let l = 0; l < leaves.length; l++) {
    const leaf = leaves[l]!;
    const n = base + (l < extra ? 1 : 0);
    for (let k = 0; k < n; k++) {
      const index = skillIds.length;
      const id = `k${index}`;
      skillIds.push(id);
      skillLeaf.push(l);
      const list = byTopic.get(leaf.topic) ?? [];
      list.push(index);
      byTopic.set(leaf.topic, list);
      await skills.add(
        `${id},Skill ${index} of ${leaf.id},Can do step ${k + 1} of concept ${leaf.id},${leaf.id},${1 + (index % 5)}`,
      );
    }
  }
  await skills.close();

  // Edges: concept prerequisites, then skill prerequisites, then part_of to fill up.
  const edges = new Lines(path.join(dir, 'edges.csv'));
  await edges.add('source_id,target_id,type');
  for (const [a, b] of conceptPrereqs) await edges.add(`${a},${b},prerequisite`);
  const partOfTarget = Math.min(
    Math.round(size.edges * 0.033),
    Math.max(0, size.edges - conceptPrereqs.length),
  );
  const prereqTarget = Math.max(0, size.edges - conceptPrereqs.length - partOfTarget);
  const seen = new Set<number>();
  let prereqCount = 0;
  const topics = [...byTopic.values()];
  const addPrereq = async (list: number[], q: number): Promise<boolean> => {
    if (q === 0) return false;
    const from =
      random() < 0.8 ? q - 1 - Math.floor(random() * Math.min(30, q)) : Math.floor(random() * q);
    const source = list[from]!;
    const target = list[q]!;
    const key = source * size.skills + target;
    if (seen.has(key)) return false;
    seen.add(key);
    await edges.add(`${skillIds[source]},${skillIds[target]},prerequisite`);
    prereqCount++;
    return true;
  };
  // Every skill but the first of its topic gets prerequisites until the target is reached.
  outer: for (let round = 0; round < 50; round++) {
    for (const list of topics) {
      for (let q = 1; q < list.length; q++) {
        if (prereqCount >= prereqTarget) break outer;
        await addPrereq(list, q);
      }
    }
  }
  let partOfCount = 0;
  const partSeen = new Set<string>();
  while (partOfCount < partOfTarget) {
    const skill = Math.floor(random() * skillIds.length);
    const leaf = leaves[skillLeaf[skill]!]!;
    const sibling = `${leaf.subtopic}.${Math.floor(random() * 10)}`;
    if (sibling === leaf.id || partSeen.has(`${skill}>${sibling}`)) continue;
    partSeen.add(`${skill}>${sibling}`);
    await edges.add(`${skillIds[skill]},${sibling},part_of`);
    partOfCount++;
  }
  await edges.close();
  const bytes = ['concept_nodes.csv', 'skill_nodes.csv', 'edges.csv']
    .map((f) => statSync(path.join(dir, f)).size)
    .reduce((a, b) => a + b, 0);
  return {
    dir,
    concepts: conceptCount,
    skills: skillIds.length,
    edges: {
      prerequisite: prereqCount,
      conceptPrerequisite: conceptPrereqs.length,
      partOf: partOfCount,
      total: prereqCount + conceptPrereqs.length + partOfCount,
    },
    bytes,
    skillIds,
  };
}

export interface ChildResult {
  dialect: string;
  importMs: number;
  importPeakRssMiB: number;
  /** RSS of the process before the import began (modules loaded, database open). */
  rssBeforeImportMiB: number;
  reimportMs: number;
  reimportPeakRssMiB: number;
  reimportUnchanged: boolean;
  queries: number;
  prerequisitesMedianMs: number;
  prerequisitesP90Ms: number;
  prerequisitesMaxMs: number;
  prerequisiteCountMedian: number;
  prerequisiteCountMax: number;
  exportMs: number;
  /** The first traversal after the import, which loads the in-memory prerequisite index. */
  firstQueryMs: number;
  rssAfterIndexMiB: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/** In a child process: one step against one database, its figures on stdout. */
async function child(step: string): Promise<void> {
  const url = option('db', '');
  const dir = option('dir', '');
  const handle = createDatabase(parseDatabaseUrl(url, 4));
  await migrateToLatest(handle);
  const graph = new GraphService({ db: handle.db, dialect: handle.dialect, clock: systemClock });
  const mib = () => process.resourceUsage().maxRSS / 1024;
  const out: Record<string, unknown> = { dialect: handle.dialect };
  if (step === 'import' || step === 'reimport') {
    const before = mib();
    const t = performance.now();
    const outcome = await importGraphDir(graph, dir, { progress: false });
    out.ms = performance.now() - t;
    out.peakRssMiB = mib();
    out.rssBeforeMiB = before;
    if (outcome.status !== 'imported') throw new Error(JSON.stringify(outcome).slice(0, 2000));
    out.unchanged =
      outcome.summary.nodeChanges.created + outcome.summary.nodeChanges.updated === 0 &&
      outcome.summary.edgeChanges.created + outcome.summary.edgeChanges.updated === 0;
  } else {
    const queries = numberOption('queries', 300);
    const skills = numberOption('skills', 80_000);
    const random = prng(7);
    const pick = () => `k${Math.floor(random() * skills)}`;
    // The first traversal after an import loads the prerequisite index.
    const first = performance.now();
    await graph.prerequisites(pick());
    out.firstQueryMs = performance.now() - first;
    out.rssAfterIndexMiB = process.memoryUsage().rss / 2 ** 20;
    for (let i = 0; i < 20; i++) await graph.prerequisites(pick());
    const times: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < queries; i++) {
      const id = pick();
      const s = performance.now();
      const result = await graph.prerequisites(id);
      times.push(performance.now() - s);
      counts.push(result.length);
    }
    out.medianMs = median(times);
    out.p90Ms = percentile(times, 0.9);
    out.maxMs = Math.max(...times);
    out.countMedian = median(counts);
    out.countMax = Math.max(...counts);
    const t = performance.now();
    await graph.exportCsv();
    out.exportMs = performance.now() - t;
  }
  await handle.destroy();
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

function runChild(args: string[]): Promise<Record<string, number | boolean | string>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'bench/graph-import.ts'), ...args],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`child exited ${code}: ${stdout.slice(-2000)}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as Record<string, number | boolean>);
    });
  });
}

async function runDatabase(
  url: string,
  dir: string,
  skills: number,
  queries: number,
): Promise<ChildResult> {
  const common = [`--db=${url}`, `--dir=${dir}`];
  const first = await runChild(['--child=import', ...common]);
  const again = await runChild(['--child=reimport', ...common]);
  const q = await runChild([
    '--child=queries',
    ...common,
    `--skills=${skills}`,
    `--queries=${queries}`,
  ]);
  const num = (v: unknown) => Number(v);
  return {
    dialect: String(first.dialect),
    importMs: num(first.ms),
    importPeakRssMiB: num(first.peakRssMiB),
    rssBeforeImportMiB: num(first.rssBeforeMiB),
    reimportMs: num(again.ms),
    reimportPeakRssMiB: num(again.peakRssMiB),
    reimportUnchanged: again.unchanged === true,
    queries,
    prerequisitesMedianMs: num(q.medianMs),
    prerequisitesP90Ms: num(q.p90Ms),
    prerequisitesMaxMs: num(q.maxMs),
    prerequisiteCountMedian: num(q.countMedian),
    prerequisiteCountMax: num(q.countMax),
    exportMs: num(q.exportMs),
    firstQueryMs: num(q.firstQueryMs),
    rssAfterIndexMiB: num(q.rssAfterIndexMiB),
  };
}

export function formatGraphBench(gen: GeneratedGraph, results: ChildResult[]): string {
  const rows = results.map((r) => {
    const target = r.dialect === 'sqlite' ? TARGETS.sqliteImportS : TARGETS.postgresImportS;
    return [
      r.dialect,
      `${round(r.importMs / 1000, 1)} s (< ${target})`,
      `${round(r.importPeakRssMiB)} MiB`,
      `${round(r.reimportMs / 1000, 1)} s, ${round(r.reimportPeakRssMiB)} MiB${r.reimportUnchanged ? '' : ' (CHANGED!)'}`,
      `${round(r.prerequisitesMedianMs, 2)} / ${round(r.prerequisitesP90Ms, 2)} / ${round(r.prerequisitesMaxMs, 1)} ms`,
      `${r.prerequisiteCountMedian} / ${r.prerequisiteCountMax}`,
      `${round(r.firstQueryMs / 1000, 1)} s, RSS ${round(r.rssAfterIndexMiB)} MiB`,
      `${round(r.exportMs / 1000, 1)} s`,
    ];
  });
  return [
    `Graph: ${gen.concepts} concepts, ${gen.skills} skills, ${gen.edges.total} edges ` +
      `(${gen.edges.prerequisite} skill prerequisites, ${gen.edges.conceptPrerequisite} concept prerequisites, ` +
      `${gen.edges.partOf} part_of), ${round(gen.bytes / 1e6, 1)} MB of CSV`,
    '',
    table(
      [
        'database',
        'import',
        'peak RSS',
        're-import (no change)',
        'prerequisites median / p90 / max',
        'prerequisites returned median / max',
        'first query (index load)',
        'export',
      ],
      rows,
    ),
  ].join('\n');
}

export function graphBenchPasses(results: ChildResult[]): boolean {
  return results.every(
    (r) =>
      r.importMs / 1000 <
        (r.dialect === 'sqlite' ? TARGETS.sqliteImportS : TARGETS.postgresImportS) &&
      r.importPeakRssMiB < TARGETS.rssMiB &&
      r.reimportPeakRssMiB < TARGETS.rssMiB &&
      r.prerequisitesMedianMs < TARGETS.prerequisitesMs &&
      r.reimportUnchanged,
  );
}

export async function runGraphBench(options: {
  dbs: string[];
  concepts: number;
  skills: number;
  edges: number;
  seed: number;
  queries: number;
}): Promise<{ generated: GeneratedGraph; results: ChildResult[] }> {
  const tmp = tempDir('graph');
  try {
    const started = performance.now();
    const generated = await generateGraph(path.join(tmp.dir, 'csv'), options);
    console.log(`generated in ${round((performance.now() - started) / 1000, 1)} s`);
    const results: ChildResult[] = [];
    for (const dialect of options.dbs) {
      if (dialect === 'sqlite') {
        results.push(
          await runDatabase(
            `sqlite:${path.join(tmp.dir, 'graph.db')}`,
            generated.dir,
            generated.skills,
            options.queries,
          ),
        );
      } else {
        const name = uniqueDbName('sb_bench_graph');
        await withPgAdmin((c) => c.query(`create database "${name}"`));
        try {
          results.push(
            await runDatabase(pgUrlFor(name), generated.dir, generated.skills, options.queries),
          );
        } finally {
          await withPgAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
        }
      }
      console.log(JSON.stringify(results.at(-1)));
    }
    return { generated: { ...generated, skillIds: [] }, results };
  } finally {
    tmp.remove();
  }
}

if (isMain(import.meta.url)) {
  runMain(async () => {
    const step = option('child', '');
    if (step) {
      await child(step);
      return;
    }
    const machine = machineSummary();
    console.log(machine + '\n');
    const { generated, results } = await runGraphBench({
      dbs: listOption('dbs', 'sqlite,postgres'),
      concepts: numberOption('concepts', 20_000),
      skills: numberOption('skills', 80_000),
      edges: numberOption('edges', 300_000),
      seed: numberOption('seed', 42),
      queries: numberOption('queries', 300),
    });
    console.log('\n' + formatGraphBench(generated, results));
    console.log(`\nTargets met: ${graphBenchPasses(results) ? 'yes' : 'NO'}`);
    const out = path.join(REPO_ROOT, 'bench/.tmp');
    mkdirSync(out, { recursive: true });
    const file = path.join(
      out,
      `graph-import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    );
    writeFileSync(file, JSON.stringify({ machine, generated, results }, null, 2));
    console.log(`Raw figures: ${path.relative(REPO_ROOT, file)}`);
  });
}
