// Against the reference: the Cognitive Tutor data (ct.csv, 16 858 first attempts) with the
// parameters and predictions of pyBKT. The files are kept in test/fixtures/bkt so that the test
// runs wherever the repository is checked out; a missing file fails the test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../test/helpers/server-process.ts';
import { bktParamsSchema, type BktParams } from './bkt.ts';
import { fitSkills, predictResponses } from './bkt-fit.ts';
import { CT_COLUMNS, readResponsesCsv } from './mastery-csv.ts';
import { auc, rmse } from './metrics.ts';

const DIR = path.join(REPO_ROOT, 'test/fixtures/bkt');
const ct = readResponsesCsv(path.join(DIR, 'ct.csv'), CT_COLUMNS);
const outcomes = Uint8Array.from(ct, (r) => r.correct);

function pyBktParams(): Map<string, BktParams> {
  const raw = JSON.parse(
    readFileSync(path.join(DIR, 'ct_params_pybkt_cpp_seed42.json'), 'utf8'),
  ) as Record<
    string,
    { prior: number; learns: number; guesses: number; slips: number; forgets: number }
  >;
  return new Map(
    Object.entries(raw).map(([skill, p]) => [
      skill,
      bktParamsSchema.parse({
        prior: p.prior,
        learn: p.learns,
        guess: p.guesses,
        slip: p.slips,
        forget: p.forgets,
      }),
    ]),
  );
}

describe('BKT on the Cognitive Tutor reference data', () => {
  it('has every first attempt of the file', () => {
    expect(ct).toHaveLength(16_858);
    expect(new Set(ct.map((r) => r.skill)).size).toBe(12);
    expect(new Set(ct.map((r) => r.learner)).size).toBe(587);
  });

  it('reproduces pyBKT’s one-step-ahead predictions with its parameters to 1e-6 on every row', () => {
    const params = pyBktParams();
    expect(params.size).toBe(12);
    const reference = parse(readFileSync(path.join(DIR, 'ct_pred_fit.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(reference).toHaveLength(ct.length);
    const { pCorrect, pKnown } = predictResponses(ct, (skill) => {
      const p = params.get(skill);
      if (!p) throw new Error(`no pyBKT parameters for ${skill}`);
      return p;
    });
    let maxCorrect = 0;
    let maxState = 0;
    for (let i = 0; i < ct.length; i++) {
      const ref = reference[i]!;
      // The reference is in the file's order (one Row number occurs twice, so join by position
      // and check the Row and the answer agree).
      expect(ref.Row).toBe(ct[i]!.fields.Row);
      expect(ref['Correct First Attempt']).toBe(String(ct[i]!.correct));
      maxCorrect = Math.max(maxCorrect, Math.abs(pCorrect[i]! - Number(ref.correct_predictions)));
      maxState = Math.max(maxState, Math.abs(pKnown[i]! - Number(ref.state_predictions)));
    }
    console.log(
      `ct.csv forward pass: max |ΔP(correct)| ${maxCorrect.toExponential(2)}, max |ΔP(L)| ${maxState.toExponential(2)} over ${ct.length} rows`,
    );
    expect(maxCorrect).toBeLessThanOrEqual(1e-6);
    expect(maxState).toBeLessThanOrEqual(1e-6);
    // pyBKT's own figures on its fit: AUC 0.705, RMSE 0.454.
    expect(auc(pCorrect, outcomes)).toBeCloseTo(0.705, 3);
    expect(rmse(pCorrect, outcomes)).toBeCloseTo(0.454, 3);
  });

  it('fits its own parameters by EM to a training AUC of at least 0.70', () => {
    const fits = fitSkills(ct, { restarts: 5, seed: 42 });
    expect(fits.size).toBe(12);
    for (const fit of fits.values()) {
      expect(fit.source).toBe('fitted');
      expect(fit.params.guess).toBeLessThanOrEqual(0.3);
      expect(fit.params.slip).toBeLessThanOrEqual(0.3);
    }
    const { pCorrect } = predictResponses(ct, (skill) => fits.get(skill)?.params);
    const trainingAuc = auc(pCorrect, outcomes)!;
    const trainingRmse = rmse(pCorrect, outcomes)!;
    console.log(
      `ct.csv EM fit: training AUC ${trainingAuc.toFixed(4)}, RMSE ${trainingRmse.toFixed(4)}`,
    );
    expect(trainingAuc).toBeGreaterThanOrEqual(0.7);
    expect(trainingRmse).toBeLessThan(0.46);
  });
});
