// Reading first attempts from CSV: every problem is named with its file and line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CT_COLUMNS, parseResponsesCsv, readResponsesCsv } from './mastery-csv.ts';

const HEADER = 'order_id,user_id,skill_name,correct\n';

describe('responses CSV', () => {
  it('reads rows in file order with their lines, trimming fields and a BOM', () => {
    const rows = parseResponsesCsv(
      `\uFEFF${HEADER}1,ann,fractions,1\n\n2, bob ,"fractions, adding",0\r\n`,
      'a.csv',
    );
    expect(
      rows.map(({ learner, skill, correct, line }) => ({ learner, skill, correct, line })),
    ).toEqual([
      { learner: 'ann', skill: 'fractions', correct: 1, line: 2 },
      { learner: 'bob', skill: 'fractions, adding', correct: 0, line: 4 },
    ]);
  });

  it.each([
    ['', 'a.csv:1: the file is empty'],
    ['user_id,skill_name,correct\nann,x,1\n', 'a.csv:1: missing column order_id'],
    ['order_id,user,skill,correct\n', 'a.csv:1: missing columns user_id, skill_name'],
    [`${HEADER}1,ann,x,1\n2,ann,x,yes\n`, 'a.csv:3: correct must be 0 or 1, not "yes"'],
    [`${HEADER}1,ann,x,0.5\n`, 'a.csv:2: correct must be 0 or 1, not "0.5"'],
    [`${HEADER}1,ann,x,\n`, 'a.csv:2: correct must be 0 or 1, not ""'],
    [`${HEADER}1,,x,1\n`, 'a.csv:2: user_id is empty'],
    [`${HEADER}1,ann,  ,1\n`, 'a.csv:2: skill_name is empty'],
    [`${HEADER}1,ann,x\n`, 'a.csv:2:'],
    [`${HEADER}1,ann,"x,1\n`, 'a.csv'],
    [`${HEADER}1,ann,x,1\u0000\n`, 'a.csv: not a text CSV file'],
  ])('rejects %j', (text, message) => {
    expect(() => parseResponsesCsv(text, 'a.csv')).toThrow(message);
  });

  it('reports a missing file and a directory by name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-mastery-csv-'));
    expect(() => readResponsesCsv(path.join(dir, 'none.csv'))).toThrow(
      `${path.join(dir, 'none.csv')}: no such file`,
    );
    expect(() => readResponsesCsv(dir)).toThrow(`${dir}: is a directory, not a file`);
    const file = path.join(dir, 'ok.csv');
    writeFileSync(file, `${HEADER}1,ann,x,1\n`);
    expect(readResponsesCsv(file)).toHaveLength(1);
  });

  it('maps the Cognitive Tutor columns', () => {
    const rows = parseResponsesCsv(
      ',Row,Anon Student Id,Problem Hierarchy,Correct First Attempt,KC(Default)\n' +
        '1576,1927,745Yh,"Unit RATIO-PROPORTION, Section 2",1,Calculate_unit_rate\n',
      'ct.csv',
      CT_COLUMNS,
    );
    expect(rows[0]).toMatchObject({ learner: '745Yh', skill: 'Calculate_unit_rate', correct: 1 });
    expect(rows[0]!.fields.Row).toBe('1927');
  });
});
