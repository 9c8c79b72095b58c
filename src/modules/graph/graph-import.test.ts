import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  testDialects,
  type TestDatabase,
} from '../../../test/helpers/test-db.ts';
import { FakeClock } from '../../platform/clock.ts';
import { LIMITS } from './graph-csv.ts';
import { MAX_REPORTED_PROBLEMS } from './graph-import.ts';
import {
  SMALL,
  demoTexts,
  graphService,
  importedSummary,
  problemsOf,
  textSources,
  type GraphTexts,
} from './graph-test-kit.ts';

/** Problems as "file:line:code" strings, for exact comparison. */
function where(problems: Array<{ file: string | null; line: number | null; code: string }>) {
  return problems.map((p) => `${p.file ?? '-'}:${p.line ?? '-'}:${p.code}`);
}

describe.each(testDialects())('graph import on %s', (dialect) => {
  let db: TestDatabase;
  const clock = new FakeClock('2026-03-01T10:00:00.000Z');

  beforeEach(async () => {
    await db?.drop();
    db = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const service = () => graphService(db.handle, clock);
  const run = (files: GraphTexts, options: { prune?: boolean } = {}) =>
    service().importFiles(textSources(files), { source: 'cli', ...options });
  const counts = () => service().stats();

  it('imports nodes, hierarchy, edges and extra columns, and logs the import', async () => {
    const summary = importedSummary(await run(SMALL));
    expect(summary).toEqual({
      concepts: 3,
      skills: 4,
      edges: 5,
      nodeChanges: { created: 7, updated: 0, unchanged: 0, removed: 0 },
      edgeChanges: { created: 5, updated: 0, unchanged: 0, removed: 0 },
      pruned: false,
    });
    const graph = service();
    const fractions = await graph.getNode('fractions');
    expect(fractions).toMatchObject({
      kind: 'concept',
      name: 'Fractions',
      description: 'Parts of a whole',
      subject: 'Maths',
      level: 'KS2',
      attributes: {},
    });
    const maths = await graph.getNode('maths');
    expect(fractions.parentId).toBe(maths.id);
    expect(maths.level).toBeNull();
    const equivalent = await graph.getNode('equivalent');
    expect(equivalent).toMatchObject({
      kind: 'skill',
      description: 'Find equal fractions, e.g. 1/2 = 2/4',
      parentId: fractions.id,
      attributes: { difficulty: '2' },
    });
    expect((await graph.getNode('letters')).description).toBe('Write "n + 3" from words');
    const detail = await graph.detail('equivalent');
    expect(detail.dependents.map((n) => n.externalId)).toEqual(['adding']);
    expect(detail.partOf.map((n) => n.externalId)).toEqual(['algebra']);
    expect(detail.breadcrumbs.map((n) => n.externalId)).toEqual(['maths', 'fractions']);
    const edges = await db.handle.db
      .selectFrom('graph_edges')
      .select(['attributes', 'ordinal', 'type'])
      .orderBy('ordinal')
      .execute();
    expect(edges.map((e) => JSON.parse(e.attributes) as unknown)).toEqual([
      { weight: '0.9' },
      { weight: '' },
      { weight: '0.4' },
      { weight: '' },
      { weight: '' },
    ]);
    expect(await counts()).toMatchObject({ concepts: 3, skills: 4, edges: 5 });
    const [log] = await graph.recentImports();
    expect(log).toMatchObject({
      source: 'cli',
      pruned: false,
      createdAt: clock.now().toISOString(),
    });
  });

  it('reports every row problem with its file and line, and writes nothing', async () => {
    const outcome = await run({
      concept: [
        'id,name,description,parent_id', // 1
        'maths,Mathematics,,', // 2
        'fractions,,No name,maths', // 3 empty name
        'maths,Again,,', // 4 duplicate id
        'loop,Loop,,loop', // 5 own parent
        'orphan,Orphan,,nowhere', // 6 unknown parent
        'under-skill,Under a skill,,adding', // 7 parent is a skill
        `${'x'.repeat(LIMITS.id + 1)},Long id,,`, // 8 id too long
        'short,Too few fields', // 9
      ].join('\n'),
      skill: [
        'id,name,description,concept_id', // 1
        'adding,Adding,,maths', // 2
        'maths,A skill with a concept id,,maths', // 3 duplicate across files
        'lost,Lost,,ghost', // 4 unknown concept
        'skill-in-skill,Bad,,adding', // 5 concept_id is a skill
      ].join('\n'),
      edges: [
        'source_id,target_id,type', // 1
        'adding,ghost,prerequisite', // 2 unknown target
        'nobody,adding,prerequisite', // 3 unknown source
        'adding,adding,prerequisite', // 4 self-loop
        'adding,maths,requires', // 5 bad type
        'adding,maths,prerequisite', // 6 skill -> concept prerequisite
        'maths,adding,part_of', // 7 part_of to a skill
        'lost,adding,prerequisite', // 8 fine
        'lost,adding,prerequisite', // 9 duplicate of 8
        'adding,lost', // 10 too few fields
        ',adding,prerequisite', // 11 empty source
      ].join('\n'),
    });
    const problems = problemsOf(outcome);
    expect(where(problems)).toEqual([
      'concept_nodes.csv:3:MISSING_VALUE',
      'concept_nodes.csv:4:DUPLICATE_ID',
      'concept_nodes.csv:5:SELF_LOOP',
      'concept_nodes.csv:6:UNKNOWN_ID',
      'concept_nodes.csv:7:WRONG_KIND',
      'concept_nodes.csv:8:INVALID_VALUE',
      'concept_nodes.csv:9:CSV_SYNTAX',
      'skill_nodes.csv:3:DUPLICATE_ID',
      'skill_nodes.csv:4:UNKNOWN_ID',
      'skill_nodes.csv:5:WRONG_KIND',
      'edges.csv:2:UNKNOWN_ID',
      'edges.csv:3:UNKNOWN_ID',
      'edges.csv:4:SELF_LOOP',
      'edges.csv:5:INVALID_VALUE',
      'edges.csv:6:WRONG_KIND',
      'edges.csv:7:WRONG_KIND',
      'edges.csv:9:DUPLICATE_EDGE',
      'edges.csv:10:CSV_SYNTAX',
      'edges.csv:11:MISSING_VALUE',
    ]);
    expect(outcome.status === 'rejected' && outcome.problemCount).toBe(19);
    const byLine = (file: string, line: number) =>
      problems.find((p) => p.file === file && p.line === line)?.message;
    expect(byLine('concept_nodes.csv', 4)).toBe(
      'the id "maths" is already used on concept_nodes.csv line 2',
    );
    expect(byLine('skill_nodes.csv', 3)).toBe(
      'the id "maths" is already used on concept_nodes.csv line 2',
    );
    expect(byLine('concept_nodes.csv', 6)).toContain('"nowhere" is not a concept');
    expect(byLine('edges.csv', 2)).toContain('the target_id "ghost" is not a node');
    expect(byLine('edges.csv', 5)).toBe('the type "requires" is not prerequisite or part_of');
    expect(byLine('edges.csv', 9)).toContain('is already on line 8');
    expect(byLine('edges.csv', 10)).toBe('the line has 2 fields but the header has 3');
    expect(await counts()).toMatchObject({ concepts: 0, skills: 0, edges: 0, lastImport: null });
  });

  it('names missing and repeated columns on the header line and reads nothing else', async () => {
    const outcome = await run({
      concept: 'id,name,description\nmaths,Maths,\n',
      skill: 'id,name,description,concept_id,Concept_ID\nadding,Adding,,maths,x\n',
      edges: 'source,target_id,type\n',
    });
    const problems = problemsOf(outcome);
    expect(where(problems)).toEqual([
      'concept_nodes.csv:1:MISSING_COLUMN',
      'skill_nodes.csv:1:DUPLICATE_COLUMN',
      'edges.csv:1:MISSING_COLUMN',
    ]);
    expect(problems[0]?.message).toContain('no "parent_id" column');
    expect(problems[2]?.message).toContain('no "source_id" column');
  });

  it('reports a prerequisite cycle with its ids in order and the lines of its edges', async () => {
    const problems = problemsOf(
      await run({
        concept: 'id,name,description,parent_id\nc,C,,\n',
        skill: 'id,name,description,concept_id\na,A,,c\nb,B,,c\nd,D,,c\ne,E,,c\n',
        edges: [
          'source_id,target_id,type',
          'a,b,prerequisite', // 2
          'e,a,prerequisite', // 3
          'b,d,prerequisite', // 4
          'd,a,prerequisite', // 5
        ].join('\n'),
      }),
    );
    expect(where(problems)).toEqual(['edges.csv:2:PREREQUISITE_CYCLE']);
    expect(problems[0]?.ids).toEqual(['a', 'b', 'd', 'a']);
    expect(problems[0]?.message).toBe(
      'prerequisite cycle: a → b → d → a; each is needed before the next, so none can be learnt first (edges.csv lines 2, 4, 5)',
    );
    expect(await counts()).toMatchObject({ skills: 0, edges: 0 });
  });

  it('reports every separate cycle, of skills and of concepts, each with its own ids', async () => {
    const problems = problemsOf(
      await run({
        concept: 'id,name,description,parent_id\nroot,Root,,\nc1,C1,,root\nc2,C2,,root\n',
        skill: 'id,name,description,concept_id\na,A,,c1\nb,B,,c1\nx,X,,c2\ny,Y,,c2\nz,Z,,c2\n',
        edges: [
          'source_id,target_id,type',
          'a,b,prerequisite', // 2
          'b,a,prerequisite', // 3
          'x,y,prerequisite', // 4
          'y,z,prerequisite', // 5
          'z,x,prerequisite', // 6
          'c1,c2,prerequisite', // 7
          'c2,c1,prerequisite', // 8
          'a,x,prerequisite', // 9: joins the two skill cycles one way only
        ].join('\n'),
      }),
    );
    expect(where(problems)).toEqual([
      'edges.csv:2:PREREQUISITE_CYCLE',
      'edges.csv:4:PREREQUISITE_CYCLE',
      'edges.csv:7:PREREQUISITE_CYCLE',
    ]);
    expect(problems.map((p) => p.ids)).toEqual([
      ['a', 'b', 'a'],
      ['x', 'y', 'z', 'x'],
      ['c1', 'c2', 'c1'],
    ]);
    expect(await counts()).toMatchObject({ concepts: 0, skills: 0, edges: 0 });
  });

  it('reports concepts that contain each other, by parent_id or by part_of', async () => {
    const problems = problemsOf(
      await run({
        concept: [
          'id,name,description,parent_id',
          'a,A,,c', // 2
          'b,B,,a', // 3
          'c,C,,', // 4 (made part of b by an edge)
        ].join('\n'),
        skill: 'id,name,description,concept_id\n',
        edges: 'source_id,target_id,type\nc,b,part_of\n',
      }),
    );
    expect(where(problems)).toEqual(['concept_nodes.csv:2:HIERARCHY_CYCLE']);
    expect(problems[0]?.ids).toEqual(['a', 'c', 'b', 'a']);
    expect(problems[0]?.message).toContain('concept_nodes.csv lines 2, 3; edges.csv line 2');
  });

  it('checks cycles against the links already in the graph when keeping them', async () => {
    importedSummary(await run(SMALL));
    // The new edges file drops equivalent -> adding and adds adding -> equivalent: with the old
    // link kept that is a cycle; with --prune the old link goes and the graph is fine.
    const reversed = {
      ...SMALL,
      edges: 'source_id,target_id,type\nadding,equivalent,prerequisite\n',
    };
    const problems = problemsOf(await run(reversed));
    expect(where(problems)).toEqual(['edges.csv:2:PREREQUISITE_CYCLE']);
    expect(problems[0]?.message).toContain('edges.csv line 2; a link already in the graph');
    // The cycle starts where the files do, whatever internal ids the graph's nodes have.
    expect(problems[0]?.ids).toEqual(['equivalent', 'adding', 'equivalent']);
    const pruned = importedSummary(await run(reversed, { prune: true }));
    expect(pruned.edgeChanges).toEqual({ created: 1, updated: 0, unchanged: 0, removed: 5 });
    const prerequisites = await service().prerequisites('equivalent');
    expect(prerequisites.map((n) => n.externalId)).toEqual(['adding']);
  });

  it('re-imports the same files without changing anything', async () => {
    importedSummary(await run(SMALL));
    const before = await db.handle.db.selectFrom('graph_nodes').selectAll().orderBy('id').execute();
    clock.advance(60_000);
    const again = importedSummary(await run(SMALL));
    expect(again.nodeChanges).toEqual({ created: 0, updated: 0, unchanged: 7, removed: 0 });
    expect(again.edgeChanges).toEqual({ created: 0, updated: 0, unchanged: 5, removed: 0 });
    const after = await db.handle.db.selectFrom('graph_nodes').selectAll().orderBy('id').execute();
    expect(after).toEqual(before);
    expect((await service().recentImports()).length).toBe(2);
  });

  it('updates changed rows in place: same internal ids, new values', async () => {
    importedSummary(await run(SMALL));
    const graph = service();
    const idsBefore = new Map(
      (await graph.search({ q: '', limit: 100, offset: 0 })).nodes.map((n) => [n.externalId, n.id]),
    );
    clock.advance(60_000);
    const changed = {
      concept: SMALL.concept.replace(
        'fractions,Fractions,Parts of a whole',
        'fractions,Fractions and parts,Parts of a whole',
      ),
      skill: SMALL.skill.replace(
        'letters,Use letters,"Write ""n + 3"" from words",algebra,1',
        'letters,Use letters,"Write ""n + 3"" from words",fractions,1',
      ),
      edges: SMALL.edges.replace(
        'equivalent,adding,prerequisite,0.9',
        'equivalent,adding,prerequisite,0.95',
      ),
    };
    const summary = importedSummary(await run(changed));
    expect(summary.nodeChanges).toEqual({ created: 0, updated: 2, unchanged: 5, removed: 0 });
    expect(summary.edgeChanges).toEqual({ created: 0, updated: 1, unchanged: 4, removed: 0 });
    const fractions = await graph.getNode('fractions');
    expect(fractions.name).toBe('Fractions and parts');
    expect(fractions.id).toBe(idsBefore.get('fractions'));
    expect(fractions.updatedAt).toBe(clock.now().toISOString());
    const letters = await graph.getNode('letters');
    expect(letters.parentId).toBe(fractions.id);
    expect(letters.id).toBe(idsBefore.get('letters'));
    const edge = await db.handle.db
      .selectFrom('graph_edges')
      .select('attributes')
      .where('ordinal', '=', 0)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(edge.attributes)).toEqual({ weight: '0.95' });
  });

  it('keeps nodes and edges missing from the files unless asked to prune them', async () => {
    importedSummary(await run(SMALL));
    const smaller = {
      concept: SMALL.concept,
      skill:
        'id,name,description,concept_id,difficulty\nequivalent,Equivalent fractions,"Find equal fractions, e.g. 1/2 = 2/4",fractions,2\n',
      edges: 'source_id,target_id,type,weight\nfractions,algebra,prerequisite,\n',
    };
    const kept = importedSummary(await run(smaller));
    expect(kept.nodeChanges.removed).toBe(0);
    expect(await counts()).toMatchObject({ concepts: 3, skills: 4, edges: 5 });
    const pruned = importedSummary(await run(smaller, { prune: true }));
    expect(pruned.nodeChanges).toMatchObject({ removed: 3 });
    expect(pruned.edgeChanges).toMatchObject({ unchanged: 1, removed: 4 });
    expect(await counts()).toMatchObject({ concepts: 3, skills: 1, edges: 1 });
    expect(await service().findNode('adding')).toBeUndefined();
  });

  it('refuses to turn a concept into a skill', async () => {
    importedSummary(await run(SMALL));
    const problems = problemsOf(
      await run({
        concept: 'id,name,description,parent_id\nmaths,Mathematics,,\n',
        skill: 'id,name,description,concept_id\nfractions,Now a skill,,maths\n',
        edges: 'source_id,target_id,type\n',
      }),
    );
    expect(where(problems)).toEqual(['skill_nodes.csv:2:KIND_CHANGED']);
    expect((await service().getNode('fractions')).kind).toBe('concept');
  });

  it('exports the same files it imported, and an export imports back unchanged', async () => {
    const demo = demoTexts();
    importedSummary(await run(demo));
    expect(await service().exportCsv()).toEqual(demo);

    // A graph grown by two imports: its export imports into an empty database and exports the
    // same again.
    importedSummary(await run(SMALL));
    const merged = await service().exportCsv();
    expect(merged.skill.split('\n')[0]).toBe(
      'id,name,description,concept_id,subject,level,difficulty',
    );
    const other = await createTestDatabase(dialect);
    try {
      const copy = graphService(other.handle, clock);
      const summary = importedSummary(
        await copy.importFiles(textSources(merged), { source: 'cli' }),
      );
      // SMALL shares the ids fractions and algebra with the demo graph: those were updated.
      expect(summary.nodeChanges.created).toBe(57 + 7 - 2);
      expect(await copy.exportCsv()).toEqual(merged);
      const again = importedSummary(await copy.importFiles(textSources(merged), { source: 'cli' }));
      expect(again.nodeChanges).toEqual({ created: 0, updated: 0, unchanged: 62, removed: 0 });
      expect(again.edgeChanges).toMatchObject({ created: 0, updated: 0 });
    } finally {
      await other.drop();
    }
  });

  it('round-trips values CSV must quote (commas, quotes, line breaks) and spaces, tabs, unicode', async () => {
    const files = {
      concept: [
        'id,name,description,parent_id,subject,level,Notes',
        'root,"Root, the top",,,Maths,,"He said ""no"""',
        'über ü,  spaced  ,"two\nlines, and ""quotes""",root,,Y7,',
        '"a,b",=SUM(A1),"line\r\nbreak",root,,,tab\there',
        '',
      ].join('\n'),
      skill: [
        'id,name,description,concept_id,weight,Notes',
        's1,"Skill ""one""",,über ü,0.5,',
        's2,Skill 2,"multi\nline\ndescription","a,b",,😀',
        '',
      ].join('\n'),
      edges:
        'source_id,target_id,type,why\ns1,s2,prerequisite,"because, well"\nüber ü,"a,b",part_of,\n',
    };
    importedSummary(await run(files));
    expect((await service().getNode('über ü')).description).toBe('two\nlines, and "quotes"');
    expect((await service().getNode('a,b')).description).toBe('line\r\nbreak');
    expect((await service().getNode('a,b')).name).toBe('=SUM(A1)');
    expect((await service().getNode('s2')).attributes).toEqual({ weight: '', Notes: '😀' });
    // The export quotes only where CSV needs it, as these files do: byte for byte the same.
    const exported = await service().exportCsv();
    expect(exported).toEqual(files);
    const again = importedSummary(await run(exported));
    expect(again.nodeChanges).toEqual({ created: 0, updated: 0, unchanged: 5, removed: 0 });
    expect(again.edgeChanges).toEqual({ created: 0, updated: 0, unchanged: 2, removed: 0 });
  });

  it('counts lines right with a byte order mark, CRLF, blank lines and quoted line breaks', async () => {
    const problems = problemsOf(
      await run({
        concept:
          '\uFEFFid,name,description,parent_id\r\nmaths,Maths,"two\r\nlines",\r\n\r\nfractions,,,maths\r\n',
        skill: 'id,name,description,concept_id\n"a","A","one\ntwo\nthree",maths\nb,B,,nowhere\n',
        edges: 'source_id,target_id,type\n',
      }),
    );
    expect(where(problems)).toEqual([
      'concept_nodes.csv:5:MISSING_VALUE',
      'skill_nodes.csv:5:UNKNOWN_ID',
    ]);
  });

  it('refuses binary, non-UTF-8, empty and broken files with a clear reason', async () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]);
    const latin1 = Buffer.from('id,name,description,concept_id\ncaf\xe9,Caf\xe9,,\n', 'latin1');
    const outcome = await run({
      concept: binary,
      skill: latin1,
      edges: '',
    });
    const problems = problemsOf(outcome);
    expect(where(problems)).toEqual([
      'concept_nodes.csv:-:NOT_TEXT',
      'skill_nodes.csv:-:NOT_TEXT',
      'edges.csv:-:EMPTY_FILE',
    ]);
    expect(problems[0]?.message).toContain('binary file');
    expect(problems[1]?.message).toContain('not UTF-8');

    const unbalanced = problemsOf(
      await run({
        ...SMALL,
        skill:
          'id,name,description,concept_id\nadding,Adding,"never closed,fractions\nother,Other,,fractions\n',
      }),
    );
    expect(where(unbalanced)).toEqual(['skill_nodes.csv:2:CSV_SYNTAX']);
    expect(unbalanced[0]?.message).toContain('unbalanced quotes');

    const huge = problemsOf(
      await run({
        ...SMALL,
        edges: `source_id,target_id,type\n"${'a'.repeat(LIMITS.recordChars + 10)}`,
      }),
    );
    expect(where(huge)).toEqual(['edges.csv:2:CSV_SYNTAX']);
    expect(await counts()).toMatchObject({ concepts: 0, skills: 0, edges: 0 });
  });

  it('caps the report but counts every problem', async () => {
    const rows = Array.from({ length: MAX_REPORTED_PROBLEMS + 50 }, (_, i) => `s${i},,,`);
    const outcome = await run({
      concept: 'id,name,description,parent_id\n',
      skill: ['id,name,description,concept_id', ...rows].join('\n'),
      edges: 'source_id,target_id,type\n',
    });
    expect(outcome.status).toBe('rejected');
    if (outcome.status !== 'rejected') return;
    expect(outcome.problemCount).toBe(MAX_REPORTED_PROBLEMS + 50);
    expect(outcome.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(outcome.problems[0]).toMatchObject({ file: 'skill_nodes.csv', line: 2 });
  });
});
