// Mastery (BKT), performance: the EM fit of 400 000 first attempts over 120 skills with 5 random
// starts per skill must take under 60 s.
//
//   node --import tsx bench/mastery-fit.ts [--responses=400000] [--skills=120] [--restarts=5]
//        [--rounds=3] [--seed=42] [--forgets=false]
//
// A deterministic generator draws each skill's true parameters (prior U(.1,.6), learn U(.05,.3),
// guess U(.05,.25), slip U(.05,.2)) and simulates learners answering it, 5 to 30 answers each,
// until the skill has its share of the responses. The whole fit — grouping by skill and learner,
// then EM per skill (fitSkills, as `skillbridge mastery-eval` runs it) — is timed --rounds times
// in this process; the parameters must be the same every round (seeded starts). Reported: the
// median time and the error of the fitted parameters against the true ones (per skill, the
// largest of |Δprior|, |Δlearn|, |Δguess|, |Δslip|; median and worst over the skills).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BktParams } from '../src/modules/mastery/bkt.ts';
import { fitSkills, seededRandom, type BktResponse } from '../src/modules/mastery/bkt-fit.ts';
import { maxParamError } from '../src/modules/mastery/bkt-synthetic.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import { isMain, numberOption, option, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGETS = { fitSeconds: 60 };

export function generate(options: { responses: number; skills: number; seed: number }): {
  responses: BktResponse[];
  truth: Map<string, BktParams>;
} {
  const random = seededRandom(options.seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const responses: BktResponse[] = [];
  const truth = new Map<string, BktParams>();
  for (let s = 0; s < options.skills; s++) {
    const skill = `skill-${String(s).padStart(3, '0')}`;
    const p: BktParams = {
      prior: between(0.1, 0.6),
      learn: between(0.05, 0.3),
      guess: between(0.05, 0.25),
      slip: between(0.05, 0.2),
      forget: 0,
    };
    truth.set(skill, p);
    const share =
      Math.floor(((s + 1) * options.responses) / options.skills) -
      Math.floor((s * options.responses) / options.skills);
    let left = share;
    for (let l = 0; left > 0; l++) {
      const length = Math.min(left, 5 + Math.floor(random() * 26));
      let known = random() < p.prior;
      for (let t = 0; t < length; t++) {
        const correct = known ? random() >= p.slip : random() < p.guess;
        responses.push({ learner: `learner-${l}`, skill, correct: correct ? 1 : 0 });
        if (!known) known = random() < p.learn;
      }
      left -= length;
    }
  }
  return { responses, truth };
}

async function main(): Promise<void> {
  const responsesWanted = numberOption('responses', 400_000);
  const skills = numberOption('skills', 120);
  const restarts = numberOption('restarts', 5);
  const rounds = numberOption('rounds', 3);
  const seed = numberOption('seed', 42);
  const forgets = option('forgets', 'false') === 'true';
  console.log(machineSummary());
  const { responses, truth } = generate({ responses: responsesWanted, skills, seed });
  const learners = new Set(responses.map((r) => `${r.skill}/${r.learner}`)).size;
  console.log(
    `${responses.length} responses, ${truth.size} skills, ${learners} (learner, skill) sequences; ${restarts} restarts${forgets ? ', with forgets' : ''}`,
  );

  const times: number[] = [];
  let first: string | undefined;
  let fits: ReturnType<typeof fitSkills> | undefined;
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    fits = fitSkills(responses, { restarts, seed, forgets, minLearners: 50 });
    const seconds = (performance.now() - started) / 1000;
    times.push(seconds);
    const fingerprint = JSON.stringify([...fits.values()].map((f) => f.params));
    if (first === undefined) first = fingerprint;
    else if (fingerprint !== first) throw new Error('the fit changed between rounds');
    console.log(`round ${r + 1}: ${seconds.toFixed(2)} s`);
  }
  const errors = [...fits!.values()].map((f) => maxParamError(f.params, truth.get(f.skill)!));
  const iterations = [...fits!.values()].map((f) => f.iterations);
  const defaulted = [...fits!.values()].filter((f) => f.source === 'default').length;
  const result = {
    responses: responses.length,
    skills: truth.size,
    restarts,
    forgets,
    seconds: times.map((t) => round(t, 2)),
    medianSeconds: round(median(times), 2),
    medianParamError: round(median(errors), 4),
    maxParamError: round(Math.max(...errors), 4),
    skillsWithin003: errors.filter((e) => e <= 0.03).length,
    medianIterations: median(iterations),
    defaulted,
    pass: median(times) < TARGETS.fitSeconds,
  };
  console.log(
    table(
      ['median of 3', 'rounds', 'param error (median / max)', 'skills within ±0.03', '< 60 s'],
      [
        [
          `${result.medianSeconds} s`,
          result.seconds.map((s) => s.toFixed(2)).join(', ') + ' s',
          `${result.medianParamError} / ${result.maxParamError}`,
          `${result.skillsWithin003} of ${result.skills}`,
          result.pass ? 'pass' : 'FAIL',
        ],
      ],
    ),
  );
  const dir = path.join(REPO_ROOT, 'bench/.tmp');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `mastery-fit-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`raw figures: ${path.relative(REPO_ROOT, file)}`);
  if (!result.pass) process.exitCode = 1;
}

if (isMain(import.meta.url)) runMain(main);
