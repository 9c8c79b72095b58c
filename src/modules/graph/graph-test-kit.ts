// For the graph tests: import sources from text, a small graph, and a service on a test database.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { DatabaseHandle } from '../../infra/db/database.ts';
import { FakeClock } from '../../platform/clock.ts';
import { GRAPH_FILES } from './graph-csv.ts';
import type { GraphSources, ImportOutcome } from './graph-import.ts';
import { DEMO_GRAPH_DIR } from './graph-seed.ts';
import { GraphService } from './graph-service.ts';

export interface GraphTexts {
  concept: string | Buffer;
  skill: string | Buffer;
  edges: string | Buffer;
}

/** Sources reading the given texts, in small chunks (as a stream would deliver them). */
export function textSources(files: GraphTexts): GraphSources {
  const source = (body: string | Buffer) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    return {
      size: bytes.length,
      open: async () => {
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
        return Readable.from(chunks);
      },
    };
  };
  return { concept: source(files.concept), skill: source(files.skill), edges: source(files.edges) };
}

/** The demo graph's three files as text. */
export function demoTexts(): { concept: string; skill: string; edges: string } {
  const read = (f: string) => readFileSync(path.join(DEMO_GRAPH_DIR, f), 'utf8');
  return {
    concept: read(GRAPH_FILES.concept),
    skill: read(GRAPH_FILES.skill),
    edges: read(GRAPH_FILES.edges),
  };
}

/** A small graph: two concepts under a root, four skills, prerequisites and an extra column. */
export const SMALL: { concept: string; skill: string; edges: string } = {
  concept: [
    'id,name,description,parent_id,subject,level',
    'maths,Mathematics,All of it,,Maths,',
    'fractions,Fractions,Parts of a whole,maths,Maths,KS2',
    'algebra,Algebra,Letters for numbers,maths,Maths,KS3',
    '',
  ].join('\n'),
  skill: [
    'id,name,description,concept_id,difficulty',
    'equivalent,Equivalent fractions,"Find equal fractions, e.g. 1/2 = 2/4",fractions,2',
    'adding,Adding fractions,Add with a common denominator,fractions,3',
    'letters,Use letters,"Write ""n + 3"" from words",algebra,1',
    'equations,Solve equations,Two-step equations,algebra,4',
    '',
  ].join('\n'),
  edges: [
    'source_id,target_id,type,weight',
    'equivalent,adding,prerequisite,0.9',
    'letters,equations,prerequisite,',
    'adding,equations,prerequisite,0.4',
    'fractions,algebra,prerequisite,',
    'equivalent,algebra,part_of,',
    '',
  ].join('\n'),
};

export function graphService(handle: DatabaseHandle, clock = new FakeClock()): GraphService {
  return new GraphService({ db: handle.db, dialect: handle.dialect, clock });
}

export function importedSummary(outcome: ImportOutcome) {
  if (outcome.status !== 'imported') {
    throw new Error(`expected an import, got ${JSON.stringify(outcome.problems.slice(0, 5))}`);
  }
  return outcome.summary;
}

export function problemsOf(outcome: ImportOutcome) {
  if (outcome.status !== 'rejected') throw new Error('expected the import to be rejected');
  return outcome.problems;
}
