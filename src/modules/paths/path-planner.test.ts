// Grouping a path's skills into modules: sizes, prerequisite order and chains kept together.
import { describe, expect, it } from 'vitest';
import { groupIntoModules, moduleTitles } from './path-planner.ts';

const skill = (id: string, conceptId: string | null = null) => ({ id, conceptId });
const ids = (modules: { id: string }[][]) => modules.map((m) => m.map((s) => s.id));

describe('groupIntoModules', () => {
  it('keeps every module between 3 and 5 skills and every prerequisite before its dependent', () => {
    // Two independent chains a1→a2→…→a6 and b1→…→b5, interleaved in the given order.
    const ordered = [
      ...['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4', 'b4', 'a5', 'b5', 'a6'].map((id) =>
        skill(id, id[0]!),
      ),
    ];
    const edges: [string, string][] = [];
    for (let i = 1; i < 6; i++) edges.push([`a${i}`, `a${i + 1}`]);
    for (let i = 1; i < 5; i++) edges.push([`b${i}`, `b${i + 1}`]);
    const modules = groupIntoModules(ordered, edges);
    for (const m of modules) {
      expect(m.length).toBeGreaterThanOrEqual(3);
      expect(m.length).toBeLessThanOrEqual(5);
    }
    const flat = modules.flat().map((s) => s.id);
    expect(new Set(flat).size).toBe(ordered.length);
    for (const [from, to] of edges) expect(flat.indexOf(from)).toBeLessThan(flat.indexOf(to));
    // Chains stay together: the first module follows chain a rather than alternating, and the
    // short tail (a6) takes skills from the module before rather than stand alone.
    expect(ids(modules)[0]).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    expect(modules.map((m) => m.length)).toEqual([5, 3, 3]);
  });

  it('absorbs a short remainder rather than leaving a module of one', () => {
    const ordered = ['s1', 's2', 's3', 's4', 's5', 's6'].map((id) => skill(id));
    const modules = groupIntoModules(ordered, []);
    expect(modules.map((m) => m.length)).toEqual([3, 3]);
    expect(groupIntoModules(ordered.slice(0, 2), []).map((m) => m.length)).toEqual([2]);
    expect(groupIntoModules([], [])).toEqual([]);
  });

  it('prefers a skill continuing the module, then one of the same concept, over the next in order', () => {
    const ordered = [
      skill('x1', 'x'),
      skill('y1', 'y'),
      skill('x2', 'x'),
      skill('z1', 'z'),
      skill('x3', 'x'),
      skill('y2', 'y'),
    ];
    const modules = groupIntoModules(ordered, [['x1', 'x3']]);
    expect(ids(modules)[0]!.slice(0, 3)).toEqual(['x1', 'x3', 'x2']);
  });

  it('never places a skill before a prerequisite of it that comes later in the given order', () => {
    // The planner trusts the order for ties only: a later-listed prerequisite still comes first.
    const modules = groupIntoModules([skill('late'), skill('early')], [['early', 'late']]);
    expect(ids(modules)).toEqual([['early', 'late']]);
  });
});

describe('moduleTitles', () => {
  it('names a module after its most common concept and numbers repeats', () => {
    expect(
      moduleTitles([
        [
          { name: 'A', conceptName: 'Fractions' },
          { name: 'B', conceptName: 'Fractions' },
          { name: 'C', conceptName: 'Ratio' },
        ],
        [{ name: 'D', conceptName: 'Fractions' }],
        [{ name: 'Solve things', conceptName: null }],
      ]),
    ).toEqual(['Fractions (part 1)', 'Fractions (part 2)', 'Solve things']);
  });
});
