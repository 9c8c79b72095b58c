// The /api/graph routes through the real application on SQLite and PostgreSQL: who may do what,
// node look-ups by id and external id, the traversals (prerequisites and dependents with depth,
// path, order, subtree, neighbourhood), and the import by upload run as the graph.import job —
// good files, every kind of problem with its file and line, hostile uploads refused before
// anything is written, idempotent re-imports, changes in place, and an export that round-trips.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-test-app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { TestClient } from '../../../test/helpers/http-client.ts';
import { testDialects } from '../../../test/helpers/test-db.ts';
import { until } from '../../infra/queue/queue-test-kit.ts';
import { multipartBody, type FormPart } from '../files/test-fixtures.ts';
import { SMALL, textSources, type GraphTexts } from './graph-test-kit.ts';

const UPLOAD_LIMIT = 64 * 1024;

interface Summary {
  id: string;
  externalId: string;
  kind: string;
  name: string;
}
type WithDepth = Summary & { depth: number };

interface JobView {
  id: string;
  state: string;
  progress: number;
  message: string | null;
  failureReason: string | null;
  result: unknown;
}

interface Problem {
  file: string | null;
  line: number | null;
  code: string;
  message: string;
  ids?: string[];
}

type Outcome =
  | {
      status: 'imported';
      importId: string;
      summary: {
        concepts: number;
        skills: number;
        edges: number;
        nodeChanges: Record<string, number>;
        edgeChanges: Record<string, number>;
        pruned: boolean;
      };
    }
  | { status: 'rejected'; problemCount: number; problems: Problem[] };

/** Every file under dir, relative. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe.each(testDialects())('graph routes, %s', (dialect) => {
  let t: TestApp;
  let instructor: TestClient;
  let admin: TestClient;
  let learner: TestClient;
  let anonymous: TestClient;
  let instructorName: string;

  const count = async (table: 'graph_nodes' | 'graph_edges' | 'graph_imports' | 'jobs') => {
    const row = await t.deps.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  /** What a refused upload must leave as it was: the graph, its log, the jobs and the stored files. */
  const stored = async () => ({
    nodes: await count('graph_nodes'),
    edges: await count('graph_edges'),
    imports: await count('graph_imports'),
    jobs: await count('jobs'),
    uploads: filesUnder(path.join(t.config.dataDir, 'blobs', 'uploads')).length,
  });
  const wipeGraph = async () => {
    const db = t.deps.database.db;
    await db.deleteFrom('graph_edges').execute();
    await db.updateTable('graph_nodes').set({ parent_id: null }).execute();
    await db.deleteFrom('graph_nodes').execute();
    await db.deleteFrom('graph_imports').execute();
  };
  const importDirect = async (files: GraphTexts) => {
    const outcome = await t.deps.graph.importFiles(textSources(files), { source: 'cli' });
    expect(outcome.status, JSON.stringify(outcome)).toBe('imported');
  };

  const filePart = (name: string, data: string | Buffer, filename = `${name}.csv`): FormPart => ({
    name,
    filename,
    data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'),
    contentType: 'text/csv',
  });
  const threeFiles = (files: GraphTexts): FormPart[] => [
    filePart('concept_nodes', files.concept),
    filePart('skill_nodes', files.skill),
    filePart('edges', files.edges),
  ];
  const upload = (client: TestClient, parts: FormPart[], csrf = true) => {
    const { payload, contentType } = multipartBody(parts);
    return client.request('POST', '/api/graph/imports', payload, {
      csrf,
      headers: { 'content-type': contentType },
    });
  };
  /** Upload, expect 202, follow the job through /api/jobs/:id to its end, return the outcome. */
  const importByUpload = async (
    parts: FormPart[],
    client: TestClient = instructor,
  ): Promise<{ job: JobView; outcome: Outcome }> => {
    const res = await upload(client, parts);
    expect(res.statusCode, res.body).toBe(202);
    const accepted = res.json() as { job: { id: string; type: string; state: string } };
    expect(accepted.job).toMatchObject({ type: 'graph.import', state: 'queued' });
    let job: JobView | undefined;
    await until(async () => {
      const r = await client.get(`/api/jobs/${accepted.job.id}`);
      expect(r.statusCode).toBe(200);
      job = (r.json() as { job: JobView }).job;
      return ['complete', 'failed', 'cancelled'].includes(job.state);
    }, 'the graph import job to finish');
    if (!job) throw new Error('no job');
    expect(job.state, job.failureReason ?? '').toBe('complete');
    expect(job.progress).toBe(100);
    return { job, outcome: job.result as Outcome };
  };
  const rejectedProblems = (outcome: Outcome): Problem[] => {
    if (outcome.status !== 'rejected')
      throw new Error(`expected a rejection, got ${outcome.status}`);
    return outcome.problems;
  };
  const where = (problems: Problem[]) =>
    problems.map((p) => `${p.file ?? '-'}:${p.line ?? '-'}:${p.code}`);
  const getJson = async <T>(client: TestClient, url: string): Promise<T> => {
    const res = await client.get(url);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json() as T;
  };
  const externalIds = (nodes: Array<{ externalId: string }>) => nodes.map((n) => n.externalId);

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: { UPLOAD_MAX_BYTES: String(UPLOAD_LIMIT), JOB_POLL_INTERVAL_MS: '50' },
    });
    const login = async (role: 'learner' | 'instructor' | 'admin') => {
      const user = await createUser(t.deps, { role });
      const client = new TestClient(t.app);
      expect((await client.login(user.email, user.password)).statusCode).toBe(200);
      return { client, user };
    };
    const staff = await login('instructor');
    instructor = staff.client;
    instructorName = staff.user.name;
    admin = (await login('admin')).client;
    learner = (await login('learner')).client;
    anonymous = new TestClient(t.app);
    await t.deps.jobs.startWorker();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('access', () => {
    beforeAll(async () => {
      await wipeGraph();
      await importDirect(SMALL);
    });

    it('answers 401 to every route when logged out', async () => {
      const urls = [
        '/api/graph/stats',
        '/api/graph/nodes?q=frac',
        '/api/graph/roots',
        '/api/graph/nodes/fractions',
        '/api/graph/nodes/fractions/children',
        '/api/graph/nodes/equations/prerequisites',
        '/api/graph/nodes/equivalent/dependents',
        '/api/graph/nodes/maths/subtree',
        '/api/graph/nodes/adding/neighbourhood',
        '/api/graph/path?from=equivalent&to=equations',
        '/api/graph/order?ids=equations,adding',
        '/api/graph/imports',
        '/api/graph/export/concept_nodes.csv',
      ];
      for (const url of urls) {
        const res = await anonymous.get(url);
        expect(res.statusCode, url).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      const before = await stored();
      expect((await upload(anonymous, threeFiles(SMALL))).statusCode).toBe(401);
      expect(await stored()).toEqual(before);
    });

    it('lets learners read the graph but not import, list imports or export', async () => {
      expect((await learner.get('/api/graph/nodes/fractions')).statusCode).toBe(200);
      expect((await learner.get('/api/graph/nodes/equations/prerequisites')).statusCode).toBe(200);
      const before = await stored();
      const refused = await upload(learner, threeFiles(SMALL));
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect((await learner.get('/api/graph/imports')).statusCode).toBe(403);
      for (const file of ['concept_nodes.csv', 'skill_nodes.csv', 'edges.csv']) {
        expect((await learner.get(`/api/graph/export/${file}`)).statusCode, file).toBe(403);
      }
      expect(await stored()).toEqual(before);
    });

    it('lets instructors and admins list imports and export', async () => {
      for (const client of [instructor, admin]) {
        expect((await client.get('/api/graph/imports')).statusCode).toBe(200);
        expect((await client.get('/api/graph/export/edges.csv')).statusCode).toBe(200);
      }
    });

    it('needs the CSRF token to upload', async () => {
      const before = await stored();
      const res = await upload(instructor, threeFiles(SMALL), false);
      expect(res.statusCode).toBe(403);
      expect(await stored()).toEqual(before);
    });
  });

  describe('look-ups and traversals', () => {
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      await wipeGraph();
      await importDirect(SMALL);
      const rows = await t.deps.database.db
        .selectFrom('graph_nodes')
        .select(['id', 'external_id'])
        .execute();
      for (const r of rows) ids[r.external_id] = r.id;
    });

    it('finds a node by external id and by internal id, with its neighbours', async () => {
      const byExternal = await getJson<{
        node: Summary & { description: string; parentId: string | null; attributes: object };
        parent: Summary | null;
        partOf: Summary[];
        children: Summary[];
        prerequisites: Summary[];
        dependents: Summary[];
        breadcrumbs: Summary[];
      }>(learner, '/api/graph/nodes/equivalent');
      expect(byExternal.node).toMatchObject({
        id: ids.equivalent,
        externalId: 'equivalent',
        kind: 'skill',
        name: 'Equivalent fractions',
        description: 'Find equal fractions, e.g. 1/2 = 2/4',
        parentId: ids.fractions,
        attributes: { difficulty: '2' },
      });
      expect(byExternal.parent?.externalId).toBe('fractions');
      expect(externalIds(byExternal.partOf)).toEqual(['algebra']);
      expect(externalIds(byExternal.dependents)).toEqual(['adding']);
      expect(byExternal.prerequisites).toEqual([]);
      expect(externalIds(byExternal.breadcrumbs)).toEqual(['maths', 'fractions']);

      const byId = await getJson<{ node: Summary }>(learner, `/api/graph/nodes/${ids.equivalent}`);
      expect(byId).toEqual(byExternal);

      const concept = await getJson<{ children: Summary[]; prerequisites: Summary[] }>(
        learner,
        '/api/graph/nodes/algebra',
      );
      expect(externalIds(concept.children)).toEqual(['equivalent', 'letters', 'equations']);
      expect(externalIds(concept.prerequisites)).toEqual(['fractions']);
    });

    it('answers 404 with a message naming the node it could not find', async () => {
      for (const url of [
        '/api/graph/nodes/no-such-node',
        '/api/graph/nodes/no-such-node/children',
        '/api/graph/nodes/no-such-node/prerequisites',
        '/api/graph/nodes/no-such-node/dependents',
        '/api/graph/nodes/no-such-node/subtree',
        '/api/graph/nodes/no-such-node/neighbourhood',
        '/api/graph/path?from=no-such-node&to=adding',
      ]) {
        const res = await learner.get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json(), url).toMatchObject({
          code: 'GRAPH_NODE_NOT_FOUND',
          detail: 'There is no node "no-such-node" in the graph.',
        });
      }
      const order = await learner.get('/api/graph/order?ids=adding,ghost-1,ghost-2,ghost-1');
      expect(order.statusCode).toBe(404);
      expect(order.json().detail).toBe('Not in the graph: "ghost-1", "ghost-2".');
    });

    it('looks up external ids that need escaping in a URL', async () => {
      const odd = ['KS2/Fractions & more', 'a?b#c', 'Brüche 100%', 'x.y..z'];
      await importDirect({
        concept: ['id,name,description,parent_id', ...odd.map((id) => `"${id}",Odd ${id},,`)].join(
          '\n',
        ),
        skill: 'id,name,description,concept_id\n',
        edges: `source_id,target_id,type\n"${odd[0]}","${odd[1]}",prerequisite\n`,
      });
      try {
        for (const id of odd) {
          const res = await learner.get(`/api/graph/nodes/${encodeURIComponent(id)}`);
          expect(res.statusCode, `${id}: ${res.body}`).toBe(200);
          expect(res.json().node.externalId).toBe(id);
        }
        const deps = await getJson<{ nodes: WithDepth[] }>(
          learner,
          `/api/graph/nodes/${encodeURIComponent(odd[0] ?? '')}/dependents`,
        );
        expect(externalIds(deps.nodes)).toEqual([odd[1]]);
        const order = await getJson<{ nodes: Summary[] }>(
          learner,
          `/api/graph/order?ids=${encodeURIComponent(`${odd[1]},${odd[0]}`)}`,
        );
        expect(externalIds(order.nodes)).toEqual([odd[0], odd[1]]);
      } finally {
        await wipeGraph();
        await importDirect(SMALL);
        const rows = await t.deps.database.db
          .selectFrom('graph_nodes')
          .select(['id', 'external_id'])
          .execute();
        for (const r of rows) ids[r.external_id] = r.id;
      }
    });

    it('searches, lists the roots and the children with their counts, and gives stats', async () => {
      const found = await getJson<{ nodes: Summary[]; total: number }>(
        learner,
        '/api/graph/nodes?q=FRAC',
      );
      expect(externalIds(found.nodes)).toEqual(['fractions', 'adding', 'equivalent']);
      expect(found.total).toBe(3);
      const skills = await getJson<{ nodes: Summary[]; total: number }>(
        learner,
        '/api/graph/nodes?q=frac&kind=skill&limit=1',
      );
      expect(skills).toMatchObject({ total: 2, nodes: [{ externalId: 'adding' }] });
      // LIKE wildcards in the text are literal.
      expect((await getJson<{ total: number }>(learner, '/api/graph/nodes?q=%25_%25')).total).toBe(
        0,
      );
      expect((await learner.get('/api/graph/nodes?kind=topic')).statusCode).toBe(400);

      const roots = await getJson<{ nodes: Array<Summary & { childCount: number }> }>(
        learner,
        '/api/graph/roots',
      );
      expect(roots.nodes.map((n) => [n.externalId, n.childCount])).toEqual([['maths', 2]]);
      const children = await getJson<{ nodes: Array<Summary & { childCount: number }> }>(
        learner,
        '/api/graph/nodes/maths/children',
      );
      expect(children.nodes.map((n) => [n.externalId, n.childCount])).toEqual([
        ['fractions', 2],
        ['algebra', 3],
      ]);

      const stats = await getJson<{ concepts: number; skills: number; edges: number }>(
        learner,
        '/api/graph/stats',
      );
      expect(stats).toMatchObject({ concepts: 3, skills: 4, edges: 5 });
    });

    it('gives transitive prerequisites and dependents, nearest first, with their depth', async () => {
      const prerequisites = await getJson<{ node: Summary; nodes: WithDepth[] }>(
        learner,
        '/api/graph/nodes/equations/prerequisites',
      );
      expect(prerequisites.node.externalId).toBe('equations');
      expect(prerequisites.nodes.map((n) => [n.externalId, n.depth])).toEqual([
        ['adding', 1],
        ['letters', 1],
        ['equivalent', 2],
      ]);
      const direct = await getJson<{ nodes: WithDepth[] }>(
        learner,
        `/api/graph/nodes/${ids.equations}/prerequisites?maxDepth=1`,
      );
      expect(externalIds(direct.nodes)).toEqual(['adding', 'letters']);

      const dependents = await getJson<{ nodes: WithDepth[] }>(
        learner,
        '/api/graph/nodes/equivalent/dependents',
      );
      expect(dependents.nodes.map((n) => [n.externalId, n.depth])).toEqual([
        ['adding', 1],
        ['equations', 2],
      ]);
      // Concept prerequisites are their own chain.
      const concept = await getJson<{ nodes: WithDepth[] }>(
        learner,
        '/api/graph/nodes/algebra/prerequisites',
      );
      expect(concept.nodes.map((n) => [n.externalId, n.depth])).toEqual([['fractions', 1]]);
      expect(
        (
          await getJson<{ nodes: WithDepth[] }>(
            learner,
            '/api/graph/nodes/equivalent/prerequisites',
          )
        ).nodes,
      ).toEqual([]);

      for (const bad of ['maxDepth=0', 'maxDepth=101', 'maxDepth=two', 'maxDepth=1.5']) {
        const res = await learner.get(`/api/graph/nodes/equations/prerequisites?${bad}`);
        expect(res.statusCode, bad).toBe(400);
        expect(res.json().detail, bad).toMatch(/maxDepth/);
      }
    });

    it('finds the path between two nodes either way, and says when there is none', async () => {
      const forward = await getJson<{ direction: string; nodes: Summary[] }>(
        learner,
        '/api/graph/path?from=equivalent&to=equations',
      );
      expect(forward.direction).toBe('forward');
      expect(externalIds(forward.nodes)).toEqual(['equivalent', 'adding', 'equations']);
      const backward = await getJson<{ direction: string; nodes: Summary[] }>(
        learner,
        `/api/graph/path?from=${ids.equations}&to=${ids.equivalent}`,
      );
      expect(backward.direction).toBe('backward');
      expect(externalIds(backward.nodes)).toEqual(['equivalent', 'adding', 'equations']);
      const same = await getJson<{ nodes: Summary[] }>(
        learner,
        '/api/graph/path?from=adding&to=adding',
      );
      expect(externalIds(same.nodes)).toEqual(['adding']);

      const none = await learner.get('/api/graph/path?from=letters&to=equivalent');
      expect(none.statusCode).toBe(404);
      expect(none.json()).toMatchObject({
        code: 'GRAPH_NO_PATH',
        detail: 'No chain of prerequisites links "letters" and "equivalent".',
      });
      expect((await learner.get('/api/graph/path?from=letters')).statusCode).toBe(400);
    });

    it('puts a set of nodes in prerequisite order, keeping the given order where free', async () => {
      const ordered = await getJson<{ nodes: Array<Summary & { stage: number }> }>(
        learner,
        '/api/graph/order?ids=equations,adding,equivalent,letters',
      );
      expect(ordered.nodes.map((n) => [n.externalId, n.stage])).toEqual([
        ['equivalent', 0],
        ['adding', 1],
        ['letters', 0],
        ['equations', 2],
      ]);
      // A chain through a node outside the set still orders the set: equivalent -> adding -> equations.
      const gap = await getJson<{ nodes: Array<Summary & { stage: number }> }>(
        learner,
        `/api/graph/order?ids=equations,${ids.equivalent}`,
      );
      expect(gap.nodes.map((n) => [n.externalId, n.stage])).toEqual([
        ['equivalent', 0],
        ['equations', 1],
      ]);
      // Repeated ids count once; spaces around commas are ignored.
      const repeated = await getJson<{ nodes: Summary[] }>(
        learner,
        '/api/graph/order?ids=adding,%20equivalent%20,adding',
      );
      expect(externalIds(repeated.nodes)).toEqual(['equivalent', 'adding']);
      for (const bad of ['', 'ids=', 'ids=,,', `ids=${Array(1001).fill('a').join(',')}`]) {
        const res = await learner.get(`/api/graph/order?${bad}`);
        expect(res.statusCode, bad).toBe(400);
      }
    });

    it("gives a concept's subtree level by level, with limits", async () => {
      const subtree = await getJson<{
        root: Summary;
        nodes: Array<WithDepth & { parentId: string }>;
        truncated: boolean;
      }>(learner, '/api/graph/nodes/maths/subtree');
      expect(subtree.root.externalId).toBe('maths');
      expect(subtree.truncated).toBe(false);
      expect(subtree.nodes.map((n) => [n.externalId, n.depth])).toEqual([
        ['fractions', 1],
        ['algebra', 1],
        ['equivalent', 2],
        ['adding', 2],
        ['letters', 2],
        ['equations', 2],
      ]);
      expect(subtree.nodes.find((n) => n.externalId === 'letters')?.parentId).toBe(ids.algebra);
      const shallow = await getJson<{ nodes: WithDepth[] }>(
        learner,
        '/api/graph/nodes/maths/subtree?maxDepth=1',
      );
      expect(externalIds(shallow.nodes)).toEqual(['fractions', 'algebra']);
      const limited = await getJson<{ nodes: WithDepth[]; truncated: boolean }>(
        learner,
        '/api/graph/nodes/maths/subtree?limit=3',
      );
      expect(limited.nodes).toHaveLength(3);
      expect(limited.truncated).toBe(true);
      const skill = await getJson<{ nodes: WithDepth[] }>(
        learner,
        '/api/graph/nodes/adding/subtree',
      );
      expect(skill.nodes).toEqual([]);
      expect((await learner.get('/api/graph/nodes/maths/subtree?limit=0')).statusCode).toBe(400);
    });

    it('gives the neighbourhood of a node with the links between what it returns', async () => {
      const hood = await getJson<{
        center: string;
        nodes: Array<Summary & { distance: number }>;
        edges: Array<{ source: string; target: string; type: string }>;
        truncated: boolean;
      }>(learner, '/api/graph/nodes/adding/neighbourhood');
      expect(hood.center).toBe(ids.adding);
      expect(hood.truncated).toBe(false);
      expect(Object.fromEntries(hood.nodes.map((n) => [n.externalId, n.distance]))).toEqual({
        adding: 0,
        equivalent: 1,
        equations: 1,
        fractions: 1,
      });
      const ext = new Map(Object.entries(ids).map(([e, id]) => [id, e]));
      const links = hood.edges
        .map((e) => `${ext.get(e.source)} ${e.type} ${ext.get(e.target)}`)
        .sort();
      expect(links).toEqual([
        'adding part_of fractions',
        'adding prerequisite equations',
        'equivalent part_of fractions',
        'equivalent prerequisite adding',
      ]);
      const wide = await getJson<{ nodes: Summary[] }>(
        learner,
        '/api/graph/nodes/adding/neighbourhood?radius=3',
      );
      expect(wide.nodes).toHaveLength(7);
      const capped = await getJson<{ nodes: Summary[]; truncated: boolean }>(
        learner,
        '/api/graph/nodes/adding/neighbourhood?radius=3&limit=3',
      );
      expect(capped.nodes).toHaveLength(3);
      expect(capped.truncated).toBe(true);
      for (const bad of ['radius=0', 'radius=4', 'limit=1', 'limit=301']) {
        const res = await learner.get(`/api/graph/nodes/adding/neighbourhood?${bad}`);
        expect(res.statusCode, bad).toBe(400);
      }
    });
  });

  describe('import by upload', () => {
    it('imports good files as a job and records who imported them', async () => {
      await wipeGraph();
      const { job, outcome } = await importByUpload(threeFiles(SMALL));
      expect(outcome).toMatchObject({
        status: 'imported',
        summary: {
          concepts: 3,
          skills: 4,
          edges: 5,
          nodeChanges: { created: 7, updated: 0, unchanged: 0, removed: 0 },
          edgeChanges: { created: 5, updated: 0, unchanged: 0, removed: 0 },
          pruned: false,
        },
      });
      expect(job.message).toBe('Imported');
      const stats = await getJson<{
        concepts: number;
        skills: number;
        edges: number;
        lastImport: { source: string; userName: string | null } | null;
      }>(learner, '/api/graph/stats');
      expect(stats).toMatchObject({
        concepts: 3,
        skills: 4,
        edges: 5,
        lastImport: { source: 'upload', userName: instructorName },
      });
      const log = await getJson<{ imports: Array<{ source: string; userName: string }> }>(
        instructor,
        '/api/graph/imports',
      );
      expect(log.imports[0]).toMatchObject({ source: 'upload', userName: instructorName });
      // The uploaded files are not kept once they are imported.
      expect((await stored()).uploads).toBe(0);
      // Field names may carry the .csv ending; the part's own file name does not matter.
      await wipeGraph();
      const named = await importByUpload([
        filePart('concept_nodes.csv', SMALL.concept, 'a.txt'),
        filePart('skill_nodes.csv', SMALL.skill, 'b'),
        filePart('edges.csv', SMALL.edges, 'c.csv'),
      ]);
      expect(named.outcome.status).toBe('imported');
    });

    it('reports every kind of problem with its file and line, and writes nothing', async () => {
      await wipeGraph();
      const before = await stored();
      const { job, outcome } = await importByUpload(
        threeFiles({
          concept: [
            'id,name,description,parent_id', // 1
            'maths,Mathematics,,', // 2
            'maths,Again,,', // 3 duplicate id
            'loop,Loop,,loop', // 4 its own parent
            'orphan,Orphan,,nowhere', // 5 unknown parent
            'fractions,,No name,maths', // 6 empty name
          ].join('\n'),
          skill: [
            'id,name,description,concept_id', // 1
            'adding,Adding,,maths', // 2
            'lost,Lost,,ghost', // 3 unknown concept
            'short,Too few', // 4
          ].join('\n'),
          edges: [
            'source_id,target_id,type', // 1
            'adding,ghost,prerequisite', // 2 unknown target
            'adding,adding,prerequisite', // 3 self-loop
            'adding,maths,requires', // 4 unknown type
            'adding,maths,prerequisite', // 5 skill before a concept
            'maths,adding,part_of', // 6 part of a skill
          ].join('\n'),
        }),
      );
      expect(job.message).toBe('Nothing imported: 11 problems in the files');
      const problems = rejectedProblems(outcome);
      expect(where(problems)).toEqual([
        'concept_nodes.csv:3:DUPLICATE_ID',
        'concept_nodes.csv:4:SELF_LOOP',
        'concept_nodes.csv:5:UNKNOWN_ID',
        'concept_nodes.csv:6:MISSING_VALUE',
        'skill_nodes.csv:3:UNKNOWN_ID',
        'skill_nodes.csv:4:CSV_SYNTAX',
        'edges.csv:2:UNKNOWN_ID',
        'edges.csv:3:SELF_LOOP',
        'edges.csv:4:INVALID_VALUE',
        'edges.csv:5:WRONG_KIND',
        'edges.csv:6:WRONG_KIND',
      ]);
      const message = (file: string, line: number) =>
        problems.find((p) => p.file === file && p.line === line)?.message;
      expect(message('concept_nodes.csv', 3)).toBe(
        'the id "maths" is already used on concept_nodes.csv line 2',
      );
      expect(message('skill_nodes.csv', 3)).toContain('the concept_id "ghost" is not a concept');
      expect(message('edges.csv', 2)).toContain('the target_id "ghost" is not a node');
      expect(message('edges.csv', 3)).toBe('"adding" is linked to itself (prerequisite)');
      expect(await stored()).toEqual({ ...before, jobs: before.jobs + 1 });
    });

    it('reports a prerequisite cycle naming its ids in order', async () => {
      await wipeGraph();
      const before = await stored();
      const { outcome } = await importByUpload(
        threeFiles({
          concept: 'id,name,description,parent_id\nc,C,,\n',
          skill: 'id,name,description,concept_id\na,A,,c\nb,B,,c\nd,D,,c\n',
          edges: 'source_id,target_id,type\na,b,prerequisite\nb,d,prerequisite\nd,a,prerequisite\n',
        }),
      );
      const problems = rejectedProblems(outcome);
      expect(where(problems)).toEqual(['edges.csv:2:PREREQUISITE_CYCLE']);
      expect(problems[0]?.ids).toEqual(['a', 'b', 'd', 'a']);
      expect(problems[0]?.message).toContain('a → b → d → a');
      expect(problems[0]?.message).toContain('edges.csv lines 2, 3, 4');
      expect(await stored()).toEqual({ ...before, jobs: before.jobs + 1 });
    });

    it('refuses a binary file, a non-UTF-8 file and an oversized file at once, keeping nothing', async () => {
      await wipeGraph();
      await importDirect(SMALL);
      const before = await stored();
      const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
      const latin1 = Buffer.from(
        'id,name,description,concept_id\ncaf\xe9,Caf\xe9,,maths\n',
        'latin1',
      );
      const oversized = `${SMALL.edges}${'equivalent,adding,prerequisite\n'.repeat(UPLOAD_LIMIT / 20)}`;
      const cases: Array<{ parts: FormPart[]; status: number; detail: RegExp }> = [
        {
          parts: [
            filePart('concept_nodes', png),
            filePart('skill_nodes', SMALL.skill),
            filePart('edges', SMALL.edges),
          ],
          status: 415,
          detail: /^concept_nodes\.csv: .*not text|^concept_nodes\.csv: .*PNG/,
        },
        {
          parts: [
            filePart('concept_nodes', SMALL.concept),
            filePart('skill_nodes', latin1),
            filePart('edges', SMALL.edges),
          ],
          status: 415,
          detail: /^skill_nodes\.csv: .*not UTF-8/,
        },
        {
          parts: [
            filePart('concept_nodes', SMALL.concept),
            filePart('skill_nodes', SMALL.skill),
            filePart('edges', oversized),
          ],
          status: 413,
          detail: /^edges\.csv: .*larger than the upload limit/,
        },
        {
          parts: [
            filePart('concept_nodes', ''),
            filePart('skill_nodes', SMALL.skill),
            filePart('edges', SMALL.edges),
          ],
          status: 400,
          detail: /^concept_nodes\.csv: The file is empty/,
        },
      ];
      for (const { parts, status, detail } of cases) {
        const res = await upload(instructor, parts);
        expect(res.statusCode, res.body).toBe(status);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().detail).toMatch(detail);
        expect(await stored()).toEqual(before);
      }
    });

    it('refuses files with a missing or repeated column at once (400 naming file and line)', async () => {
      const before = await stored();
      const res = await upload(
        instructor,
        threeFiles({
          concept: 'id,name,description\nmaths,Maths,\n',
          skill: SMALL.skill,
          edges: 'source_id,target_id,type,type\n',
        }),
      );
      expect(res.statusCode, res.body).toBe(400);
      const body = res.json() as { code: string; detail: string; errors: Problem[] };
      expect(body.code).toBe('GRAPH_IMPORT_INVALID');
      expect(body.detail).toContain('nothing was imported');
      expect(body.errors).toEqual([
        {
          path: 'concept_nodes.csv line 1',
          message: expect.stringContaining('no "parent_id" column') as unknown,
        },
        {
          path: 'edges.csv line 1',
          message: expect.stringContaining('"type" appears twice') as unknown,
        },
      ]);
      expect(await stored()).toEqual(before);
    });

    it('refuses malformed forms with a clear 4xx, keeping nothing', async () => {
      const before = await stored();
      const cases: Array<{ parts: FormPart[]; status: number; detail: RegExp }> = [
        {
          parts: [filePart('concept_nodes', SMALL.concept), filePart('edges', SMALL.edges)],
          status: 400,
          detail: /no skill_nodes\.csv/,
        },
        {
          parts: [...threeFiles(SMALL), filePart('edges', SMALL.edges)],
          status: 400,
          detail: /two files for edges\.csv/,
        },
        {
          parts: [
            ...Array.from({ length: 6 }, () => ({ name: 'prune', value: 'false' })),
            ...threeFiles(SMALL),
          ],
          status: 400,
          detail: /too many parts/,
        },
        {
          parts: [...threeFiles(SMALL), ...threeFiles(SMALL)],
          status: 400,
          detail: /two files for concept_nodes\.csv/,
        },
        {
          parts: [filePart('nodes', SMALL.concept), ...threeFiles(SMALL)],
          status: 400,
          detail: /Unknown file field "nodes"/,
        },
        {
          parts: [{ name: 'colour', value: 'blue' }, ...threeFiles(SMALL)],
          status: 400,
          detail: /Unknown form field "colour"/,
        },
        {
          parts: [...threeFiles(SMALL), { name: 'prune', value: 'perhaps' }],
          status: 400,
          detail: /prune must be true or false/,
        },
      ];
      for (const { parts, status, detail } of cases) {
        const res = await upload(instructor, parts);
        expect(res.statusCode, res.body).toBe(status);
        expect(res.json().detail).toMatch(detail);
        expect(await stored()).toEqual(before);
      }
      const json = await instructor.post('/api/graph/imports', { concept_nodes: SMALL.concept });
      expect(json.statusCode).toBe(415);
      expect(json.json().detail).toMatch(/multipart\/form-data/);
      const noBoundary = await instructor.request('POST', '/api/graph/imports', 'x', {
        headers: { 'content-type': 'multipart/form-data' },
      });
      expect(noBoundary.statusCode).toBe(400);
      expect(await stored()).toEqual(before);
    });

    it('re-imports the same files without changing anything', async () => {
      await wipeGraph();
      expect((await importByUpload(threeFiles(SMALL))).outcome.status).toBe('imported');
      const rows = () =>
        t.deps.database.db.selectFrom('graph_nodes').selectAll().orderBy('id').execute();
      const edges = () =>
        t.deps.database.db
          .selectFrom('graph_edges')
          .selectAll()
          .orderBy('source_id')
          .orderBy('target_id')
          .execute();
      const nodesBefore = await rows();
      const edgesBefore = await edges();
      const { outcome } = await importByUpload(threeFiles(SMALL), admin);
      expect(outcome).toMatchObject({
        status: 'imported',
        summary: {
          nodeChanges: { created: 0, updated: 0, unchanged: 7, removed: 0 },
          edgeChanges: { created: 0, updated: 0, unchanged: 5, removed: 0 },
        },
      });
      expect(await rows()).toEqual(nodesBefore);
      expect(await edges()).toEqual(edgesBefore);
      expect(await count('graph_imports')).toBe(2);
    });

    it('updates changed rows in place, keeping internal ids, and prunes only when asked', async () => {
      await wipeGraph();
      await importByUpload(threeFiles(SMALL));
      const before = await getJson<{ node: Summary }>(learner, '/api/graph/nodes/letters');
      // A name changed in each node file, a skill left out, a link replaced on the same line.
      const changed = {
        concept: SMALL.concept.replace('algebra,Algebra,', 'algebra,Algebra and equations,'),
        skill: SMALL.skill
          .replace('letters,Use letters,', 'letters,Use letters for numbers,')
          .replace(/^equations,.*\n/m, ''),
        edges: SMALL.edges.replace(
          'letters,equations,prerequisite,',
          'letters,adding,prerequisite,',
        ),
      };
      const kept = await importByUpload(threeFiles(changed));
      expect(kept.outcome).toMatchObject({
        status: 'imported',
        summary: {
          nodeChanges: { created: 0, updated: 2, unchanged: 4, removed: 0 },
          edgeChanges: { created: 1, updated: 0, unchanged: 4, removed: 0 },
        },
      });
      const after = await getJson<{ node: Summary; dependents: Summary[] }>(
        learner,
        '/api/graph/nodes/letters',
      );
      expect(after.node.id).toBe(before.node.id);
      expect(after.node.name).toBe('Use letters for numbers');
      // The skill and link missing from the files are kept.
      expect(externalIds(after.dependents)).toEqual(['adding', 'equations']);
      // Traversals see the new link at once.
      const needed = await getJson<{ nodes: WithDepth[] }>(
        learner,
        '/api/graph/nodes/adding/prerequisites',
      );
      expect(needed.nodes.map((n) => [n.externalId, n.depth])).toEqual([
        ['equivalent', 1],
        ['letters', 1],
      ]);
      expect(
        (await getJson<{ node: Summary }>(learner, '/api/graph/nodes/algebra')).node.name,
      ).toBe('Algebra and equations');

      // With prune, what the files lack goes: the skill, and with it its links. The two links
      // after the removed line moved up a line: their order is updated.
      const smaller = {
        ...changed,
        edges: changed.edges.replace('adding,equations,prerequisite,0.4\n', ''),
      };
      const pruned = await importByUpload([
        ...threeFiles(smaller),
        { name: 'prune', value: 'true' },
      ]);
      expect(pruned.outcome).toMatchObject({
        status: 'imported',
        summary: {
          pruned: true,
          nodeChanges: { created: 0, updated: 0, unchanged: 6, removed: 1 },
          edgeChanges: { created: 0, updated: 2, unchanged: 2, removed: 2 },
        },
      });
      expect((await learner.get('/api/graph/nodes/equations')).statusCode).toBe(404);
      const letters = await getJson<{ node: Summary; dependents: Summary[] }>(
        learner,
        '/api/graph/nodes/letters',
      );
      expect(letters.node.id).toBe(before.node.id);
      expect(externalIds(letters.dependents)).toEqual(['adding']);
    });

    it('exports the three files as they were imported, and the export imports back unchanged', async () => {
      await wipeGraph();
      await importByUpload(threeFiles(SMALL));
      const exported: Record<string, string> = {};
      for (const file of ['concept_nodes.csv', 'skill_nodes.csv', 'edges.csv']) {
        const res = await instructor.get(`/api/graph/export/${file}`);
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(res.headers['content-disposition']).toContain(`filename="${file}"`);
        expect(res.headers['cache-control']).toBe('private, no-store');
        exported[file] = res.body;
      }
      expect(exported).toEqual({
        'concept_nodes.csv': SMALL.concept,
        'skill_nodes.csv': SMALL.skill,
        'edges.csv': SMALL.edges,
      });
      const bad = await instructor.get('/api/graph/export/..%2F..%2Fetc%2Fpasswd');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().detail).toMatch(/concept_nodes\.csv, skill_nodes\.csv, edges\.csv/);

      const again = await importByUpload([
        filePart('concept_nodes', exported['concept_nodes.csv'] ?? ''),
        filePart('skill_nodes', exported['skill_nodes.csv'] ?? ''),
        filePart('edges', exported['edges.csv'] ?? ''),
      ]);
      expect(again.outcome).toMatchObject({
        status: 'imported',
        summary: {
          nodeChanges: { created: 0, updated: 0, unchanged: 7 },
          edgeChanges: { created: 0, updated: 0, unchanged: 5 },
        },
      });
    });
  });
});
