// The offline lesson: deterministic, built from the skills' own names and descriptions.
import { describe, expect, it } from 'vitest';
import { composeOfflineLesson, lessonSchema, levelFor } from './lesson-writer.ts';

const request = {
  role: 'Data Analyst',
  module: 'Percentages',
  skills: [
    {
      name: 'Find a percentage of an amount',
      description: 'Find 10%, 5% and 1% and combine them.',
      conceptName: 'Percentages',
      pKnown: 0.2,
    },
    {
      name: 'Increase and decrease by a percentage',
      description: 'Use a multiplier',
      conceptName: 'Percentages',
      pKnown: 0.3,
    },
  ],
  before: ['Convert between fractions, decimals and percentages'],
  userId: null,
};

describe('composeOfflineLesson', () => {
  it('teaches each skill in order with its description, and is the same every time', () => {
    const lesson = composeOfflineLesson(request);
    expect(lessonSchema.safeParse(lesson).success).toBe(true);
    expect(lesson.objectives).toEqual([
      'Find a percentage of an amount.',
      'Increase and decrease by a percentage.',
    ]);
    expect(lesson.explanation).toContain('### 1. Find a percentage of an amount');
    expect(lesson.explanation).toContain('Use a multiplier.');
    expect(lesson.explanation).toContain('convert between fractions, decimals and percentages');
    expect(lesson.explanation.indexOf('### 1.')).toBeLessThan(lesson.explanation.indexOf('### 2.'));
    expect(lesson.workedExample).toContain('2. Use a multiplier.');
    expect(composeOfflineLesson(request)).toEqual(lesson);
  });

  it('pitches the level from the mean mastery', () => {
    expect(levelFor(request.skills)).toBe('beginner');
    expect(levelFor([{ ...request.skills[0]!, pKnown: 0.6 }])).toBe('intermediate');
    expect(levelFor([{ ...request.skills[0]!, pKnown: 0.9 }])).toBe('advanced');
  });
});
