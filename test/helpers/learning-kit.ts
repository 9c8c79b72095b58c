// Shared set-up for route tests of the learner's side (placement, paths): the demo
// graph and questions imported into a test app, a logged-in learner, and a learner's response to
// a bank question — a well-formed one (the first option) or the right one.
import { expect } from 'vitest';
import type { TestApp } from './build-test-app.ts';
import { createUser } from './factories.ts';
import { TestClient } from './http-client.ts';
import { demoTexts, textSources } from '../../src/modules/graph/graph-test-kit.ts';
import {
  parseStoredAnswers,
  type QuestionType,
} from '../../src/modules/questions/question-model.ts';
import { seedDemoQuestions } from '../../src/modules/questions/questions-seed.ts';

/** The demo knowledge graph and question bank, as `npm start` seeds them. */
export async function seedDemoBank(t: TestApp): Promise<void> {
  expect(
    (await t.deps.graph.importFiles(textSources(demoTexts()), { source: 'seed' })).status,
  ).toBe('imported');
  expect((await seedDemoQuestions(t.deps.questions)).status).toBe('imported');
}

/** A new learner account, logged in. */
export async function loggedInLearner(t: TestApp): Promise<{ client: TestClient; id: string }> {
  const user = await createUser(t.deps, { role: 'learner' });
  const client = new TestClient(t.app);
  expect((await client.login(user.email, user.password)).statusCode).toBe(200);
  return { client, id: user.id };
}

async function storedAnswers(t: TestApp, questionId: string) {
  const row = await t.deps.database.db
    .selectFrom('questions')
    .select(['type', 'answers'])
    .where('id', '=', questionId)
    .executeTakeFirstOrThrow();
  const answers = parseStoredAnswers(row.type as QuestionType, row.answers) as Record<
    string,
    unknown
  >;
  return { type: row.type, a: answers };
}

/** A well-formed response to the question, right or wrong (the first option, a fixed value). */
export async function someAnswer(t: TestApp, questionId: string) {
  const { type, a } = await storedAnswers(t, questionId);
  switch (type) {
    case 'single_choice':
      return { type: 'single_choice', optionId: (a.options as { id: string }[])[0]!.id };
    case 'multiple_choice':
      return { type: 'multiple_choice', optionIds: [(a.options as { id: string }[])[0]!.id] };
    case 'true_false':
      return { type: 'true_false', value: true };
    case 'numeric':
      return { type: 'numeric', value: 1 };
    case 'short_answer':
      return { type: 'short_answer', text: 'an answer' };
    default:
      throw new Error(`a ${type} question was chosen for the placement test`);
  }
}

/** The right answer to a bank question, as a learner would send it. */
export async function rightAnswer(t: TestApp, questionId: string) {
  const { type, a } = await storedAnswers(t, questionId);
  switch (type) {
    case 'single_choice':
      return {
        type: 'single_choice',
        optionId: (a.options as { id: string; weight: number }[]).find((o) => o.weight === 100)!.id,
      };
    case 'multiple_choice':
      return {
        type: 'multiple_choice',
        optionIds: (a.options as { id: string; weight: number }[])
          .filter((o) => o.weight > 0)
          .map((o) => o.id),
      };
    case 'true_false':
      return { type: 'true_false', value: a.correct as boolean };
    case 'numeric': {
      const n = (
        a.answers as { kind: string; value?: number; min?: number; weight: number }[]
      ).find((x) => x.weight === 100)!;
      return { type: 'numeric', value: n.kind === 'tolerance' ? n.value! : n.min! };
    }
    case 'short_answer':
      return {
        type: 'short_answer',
        text: (a.answers as { text: string; weight: number }[])
          .find((x) => x.weight === 100)!
          .text.replaceAll('*', ''),
      };
    default:
      throw new Error(`unexpected ${type}`);
  }
}
