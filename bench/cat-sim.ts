// Placement test (adaptive): test length and accuracy by simulation.
//
//   node --import tsx bench/cat-sim.ts [--seed=42] [--spread=1,2,3,4,5] [--exposure=3]
//        [--items=300] [--simulees=500] [--se=0.3] [--max-items=60] [--cli=yes]
//
// Targets: a 300-item 2PL bank with a ~ N(1.2, 0.25²) (SD 0.25; a draw below 0.2 would be
// raised to 0.2, none is at these seeds) and b ~ N(0, 1), 500 simulees with θ ~ N(0, 1): mean
// test length to SE ≤ 0.3 at most 27 items and RMSE(θ̂) at most 0.33.
//
// Each seed draws its own bank and simulees (mulberry32 + Box–Muller), then runs every simulee's
// test through the engine of src/modules/assessment/cat.ts (EAP on 121 points from −6 to 6, D = 1,
// maximum information with randomesque exposure control) with answers drawn from the model at the
// true θ. The main seed also runs without exposure control (k = 1) and with k = 5, and, with
// --cli=yes, through `skillbridge cat-sim` on the bank and θ files written to bench/.tmp, which
// must print the same figures. Raw figures go to bench/.tmp/cat-sim-<time>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  catConfig,
  normalDraw,
  seededRandom,
  simulateTest,
  summarise,
  type CatItem,
  type SimulationSummary,
} from '../src/modules/assessment/cat.ts';
import { REPO_ROOT } from '../test/helpers/server-process.ts';
import { isMain, listOption, numberOption, option, runMain } from './lib/cli.ts';
import { machineSummary } from './lib/machine.ts';
import { median, round, table } from './lib/stats.ts';

export const TARGETS = { meanLength: 27, rmse: 0.33 };

export interface Scenario {
  items: number;
  simulees: number;
  targetSe: number;
  maxItems: number;
}

/** The bank and simulees of a seed. */
export function drawScenario(seed: number, s: Scenario): { bank: CatItem[]; thetas: number[] } {
  const random = seededRandom(seed);
  const bank = Array.from({ length: s.items }, (_, i) => ({
    id: `item-${i + 1}`,
    params: {
      a: Math.max(0.2, 1.2 + 0.25 * normalDraw(random)),
      b: normalDraw(random),
      c: 0,
      d: 1,
    },
    skillIds: [],
    area: null,
  }));
  const thetas = Array.from({ length: s.simulees }, () => normalDraw(random));
  return { bank, thetas };
}

export interface Row extends SimulationSummary {
  seed: number;
  exposureK: number;
  maxLength: number;
  seconds: number;
}

function simulate(seed: number, exposureK: number, s: Scenario): Row {
  const { bank, thetas } = drawScenario(seed, s);
  const config = catConfig({ targetSe: s.targetSe, maxItems: s.maxItems, exposureK });
  const random = seededRandom(seed + 1_000_000);
  const started = performance.now();
  const tests = thetas.map((theta) => simulateTest(theta, bank, config, random));
  const seconds = (performance.now() - started) / 1000;
  return {
    seed,
    exposureK,
    ...summarise(tests),
    maxLength: Math.max(...tests.map((t) => t.length)),
    seconds,
  };
}

const verdict = (r: SimulationSummary) =>
  r.mean_length <= TARGETS.meanLength && r.rmse_theta <= TARGETS.rmse ? 'pass' : 'FAIL';

export function formatRows(rows: readonly Row[]): string {
  return table(
    ['seed', 'k', 'mean length', 'median', 'max', 'RMSE(θ̂)', 'reached SE', 'time', 'verdict'],
    rows.map((r) => [
      r.seed,
      r.exposureK,
      round(r.mean_length, 2),
      r.median_length,
      r.maxLength,
      round(r.rmse_theta, 3),
      round(r.reached_se_fraction, 3),
      `${round(r.seconds, 2)} s`,
      verdict(r),
    ]),
  );
}

async function main(): Promise<void> {
  const scenario: Scenario = {
    items: numberOption('items', 300),
    simulees: numberOption('simulees', 500),
    targetSe: numberOption('se', 0.3),
    maxItems: numberOption('max-items', 60),
  };
  const seed = numberOption('seed', 42);
  const exposure = numberOption('exposure', 3);
  const spread = listOption('spread', '1,2,3,4,5').map(Number);
  console.log(machineSummary());
  console.log(
    `${scenario.items}-item 2PL bank (a ~ N(1.2, 0.25²), b ~ N(0, 1)), ${scenario.simulees} simulees (θ ~ N(0, 1)), SE ≤ ${scenario.targetSe}, at most ${scenario.maxItems} items\n`,
  );
  const main = simulate(seed, exposure, scenario);
  const variants = [1, 5].filter((k) => k !== exposure).map((k) => simulate(seed, k, scenario));
  const seeds = spread.filter((s) => s !== seed).map((s) => simulate(s, exposure, scenario));
  const rows = [main, ...variants, ...seeds];
  console.log(formatRows(rows));
  const spreadRows = [main, ...seeds];
  const meanLengths = spreadRows.map((r) => r.mean_length);
  const rmses = spreadRows.map((r) => r.rmse_theta);
  console.log(
    `\nover ${spreadRows.length} seeds at k = ${exposure}: mean length ${round(Math.min(...meanLengths), 2)}–${round(Math.max(...meanLengths), 2)} (median ${round(median(meanLengths), 2)}), RMSE ${round(Math.min(...rmses), 3)}–${round(Math.max(...rmses), 3)} (median ${round(median(rmses), 3)})`,
  );
  console.log(
    `verdict (seed ${seed}, k = ${exposure}): mean length ${round(main.mean_length, 2)} ≤ ${TARGETS.meanLength} and RMSE ${round(main.rmse_theta, 3)} ≤ ${TARGETS.rmse}: ${verdict(main)}`,
  );

  const out = path.join(REPO_ROOT, 'bench', '.tmp');
  mkdirSync(out, { recursive: true });
  let cli: { command: string; output: SimulationSummary; same: boolean } | undefined;
  if (option('cli', 'yes') === 'yes') {
    const { bank, thetas } = drawScenario(seed, scenario);
    const bankFile = path.join(out, `cat-sim-bank-${seed}.csv`);
    const thetaFile = path.join(out, `cat-sim-thetas-${seed}.csv`);
    writeFileSync(
      bankFile,
      `a,b,c,d\n${bank.map((i) => `${i.params.a},${i.params.b},0,1`).join('\n')}\n`,
    );
    writeFileSync(thetaFile, `${thetas.join('\n')}\n`);
    const args = [
      'cat-sim',
      '--bank',
      bankFile,
      '--thetas',
      thetaFile,
      '--se',
      String(scenario.targetSe),
      '--max-items',
      String(scenario.maxItems),
      '--exposure',
      String(exposure),
      '--seed',
      String(seed + 1_000_000),
    ];
    const started = performance.now();
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    const output = JSON.parse(stdout) as SimulationSummary;
    const { seed: _s, exposureK: _k, maxLength: _m, seconds: _t, ...figures } = main;
    const same = JSON.stringify(output) === JSON.stringify(figures);
    cli = { command: `skillbridge ${args.join(' ')}`, output, same };
    console.log(
      `\nskillbridge cat-sim on the same files (${round((performance.now() - started) / 1000, 1)} s with start-up): ${stdout.trim()} — ${same ? 'same figures' : 'DIFFERENT figures'}`,
    );
  }
  writeFileSync(
    path.join(out, `cat-sim-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ scenario, rows, cli }, null, 2),
  );
}

if (isMain(import.meta.url)) runMain(main);
