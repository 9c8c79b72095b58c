// Turning the skills of a path into modules. Pure functions, no I/O: the service hands in the
// skills in prerequisite order (the graph's topological order) and the prerequisite links among
// them; out come modules of MIN_MODULE..MAX_MODULE skills that keep prerequisite chains together.
//
// Greedy, in order: a module starts with the first skill not yet placed, then takes the next
// skill whose prerequisites (within the path) are all placed, preferring one that continues a
// chain of the module (a direct prerequisite in it), then one of the same concept. Below
// MIN_MODULE skills it takes the next ready skill in order; at MIN_MODULE or more it stops when
// nothing continues the module; at MAX_MODULE it stops. A remainder that fits is absorbed rather
// than left as a module of one. Every skill's prerequisites therefore sit in its own module
// (before it) or an earlier one, so modules unlock in a valid order.

export const MIN_MODULE = 3;
export const MAX_MODULE = 5;

export interface PlannedSkill {
  id: string;
  conceptId: string | null;
}

/** Group skills (in prerequisite order) into modules; `edges` are [prerequisite, dependent]. */
export function groupIntoModules<T extends PlannedSkill>(
  ordered: readonly T[],
  edges: ReadonlyArray<readonly [string, string]>,
  sizes: { min: number; max: number } = { min: MIN_MODULE, max: MAX_MODULE },
): T[][] {
  const rank = new Map(ordered.map((s, i) => [s.id, i]));
  const needs = new Map<string, string[]>();
  for (const [from, to] of edges) {
    if (!rank.has(from) || !rank.has(to) || from === to) continue;
    const list = needs.get(to) ?? [];
    list.push(from);
    needs.set(to, list);
  }
  const placed = new Set<string>();
  const modules: T[][] = [];
  let remaining = ordered.length;
  const ready = (s: T) => !placed.has(s.id) && (needs.get(s.id) ?? []).every((p) => placed.has(p));

  while (remaining > 0) {
    const current: T[] = [];
    const inCurrent = new Set<string>();
    const concepts = new Set<string>();
    while (current.length < sizes.max && remaining > 0) {
      let pick: T | undefined;
      let chain: T | undefined;
      let sameConcept: T | undefined;
      let first: T | undefined;
      for (const s of ordered) {
        if (!ready(s)) continue;
        first ??= s;
        if (current.length === 0) break;
        if (chain === undefined && (needs.get(s.id) ?? []).some((p) => inCurrent.has(p))) {
          chain = s;
          break;
        }
        if (sameConcept === undefined && s.conceptId !== null && concepts.has(s.conceptId)) {
          sameConcept = s;
        }
      }
      // What is left fits in this module: take it all rather than leave a short module behind.
      const absorb = remaining <= sizes.max - current.length;
      if (current.length === 0) pick = first;
      else
        pick = chain ?? sameConcept ?? (current.length < sizes.min || absorb ? first : undefined);
      if (pick === undefined) break;
      current.push(pick);
      inCurrent.add(pick.id);
      if (pick.conceptId !== null) concepts.add(pick.conceptId);
      placed.add(pick.id);
      remaining -= 1;
    }
    modules.push(current);
  }
  // A last module shorter than the minimum joins the one before when that stays within the
  // maximum, or else takes skills from the end of the one before. Both keep the skills in the same
  // overall order, so every prerequisite still comes first.
  const last = modules.at(-1);
  const before = modules.at(-2);
  if (last && before && last.length < sizes.min) {
    if (before.length + last.length <= sizes.max) {
      before.push(...last);
      modules.pop();
    } else {
      while (last.length < sizes.min && before.length > sizes.min) last.unshift(before.pop()!);
    }
  }
  return modules;
}

/** A module's title: its most common concept's name ("Fractions (part 2)" when repeated). */
export function moduleTitles(
  modules: ReadonlyArray<ReadonlyArray<{ conceptName: string | null; name: string }>>,
): string[] {
  const base = modules.map((skills) => {
    const counts = new Map<string, number>();
    for (const s of skills) {
      if (s.conceptName) counts.set(s.conceptName, (counts.get(s.conceptName) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [name, n] of counts) {
      if (n > bestCount) {
        best = name;
        bestCount = n;
      }
    }
    return best ?? skills[0]?.name ?? 'Module';
  });
  const total = new Map<string, number>();
  for (const t of base) total.set(t, (total.get(t) ?? 0) + 1);
  const seen = new Map<string, number>();
  return base.map((t) => {
    if ((total.get(t) ?? 0) < 2) return t;
    const n = (seen.get(t) ?? 0) + 1;
    seen.set(t, n);
    return `${t} (part ${n})`;
  });
}
