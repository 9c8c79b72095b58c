import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OfflineGenerator } from './offline-generator.ts';

const generator = new OfflineGenerator();
const request = {
  feature: 'lesson',
  promptId: 'lesson.v1',
  system: 'You are an instructor.',
  user: 'Write a lesson on "SQL joins" for a beginner learner working towards Data analyst.',
  maxTokens: 1000,
};

const lessonSchema = z.object({
  title: z.string().min(5).max(80),
  summary: z.string(),
  level: z.enum(['beginner', 'intermediate', 'advanced']),
  minutes: z.number().int().min(5).max(60),
  confidence: z.number().gt(0).lt(1),
  sections: z
    .array(z.object({ heading: z.string(), body: z.string().min(40) }))
    .min(2)
    .max(6),
  questions: z.array(
    z.object({
      prompt: z.string(),
      options: z.array(z.string()).length(4),
      answerIndex: z.number().int().min(0).max(3),
    }),
  ),
  tags: z.array(z.string()).max(2),
  published: z.boolean(),
  reviewer: z.email().optional(),
  externalId: z.uuid(),
  dueAt: z.iso.datetime(),
  note: z.string().nullable(),
  kind: z.literal('lesson'),
  pair: z.tuple([z.string(), z.number()]),
  extra: z.record(z.string(), z.number()),
  variant: z.union([z.object({ a: z.string() }), z.object({ b: z.number() })]),
  words: z.array(z.string()).min(3).max(3),
});

describe('offline generator', () => {
  it('produces objects that satisfy the schema, using words from the prompt', () => {
    const { value } = generator.object(lessonSchema, request);
    const parsed = lessonSchema.parse(value);
    expect(parsed.level).toBe('beginner');
    expect(parsed.kind).toBe('lesson');
    expect(parsed.sections.length).toBeGreaterThanOrEqual(2);
    expect(parsed.questions.length).toBeGreaterThanOrEqual(1);
    expect(parsed.tags.length).toBeLessThanOrEqual(2);
    const allText = JSON.stringify(parsed).toLowerCase();
    expect(allText).toMatch(/sql|joins|lesson|beginner|analyst/);
  });

  it('is deterministic: the same request gives the same answer, another prompt another', () => {
    const a = generator.object(lessonSchema, request).value;
    const b = new OfflineGenerator().object(lessonSchema, { ...request }).value;
    expect(b).toEqual(a);
    const c = generator.object(lessonSchema, {
      ...request,
      user: 'Write a lesson on "Pivot tables" for spreadsheet users.',
    }).value;
    expect(c).not.toEqual(a);
    expect(generator.text(request)).toBe(generator.text({ ...request }));
  });

  it('fills many generated schemas validly (a small property test)', () => {
    const shapes = [
      z.object({ n: z.number().int().min(-3).max(-1) }),
      z.object({ n: z.number().multipleOf(5).min(7).max(21) }),
      z.object({ s: z.string().length(12) }),
      z.object({ list: z.array(z.number().int()).min(7) }),
      z.object({ set: z.array(z.enum(['a', 'b', 'c'])).max(1) }),
      z.array(z.object({ id: z.string(), ok: z.boolean() })).min(1),
      z.object({ deep: z.object({ deeper: z.object({ deepest: z.object({ x: z.string() }) }) }) }),
      z.object({ maybe: z.string().optional(), withDefault: z.number().default(3) }),
      z.string().max(3),
    ];
    for (const [i, schema] of shapes.entries()) {
      for (const user of ['alpha beta gamma', 'Fractions and decimals', '']) {
        const { value } = generator.object(schema, { ...request, user: `${user} ${i}` });
        const result = schema.safeParse(value);
        expect(result.success, `${i} ${JSON.stringify(value)}`).toBe(true);
      }
    }
  });

  it('handles recursive schemas without running forever', () => {
    interface Node {
      name: string;
      children: Node[];
    }
    const node: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string(), children: z.array(node) }),
    );
    const { value } = generator.object(node, request);
    expect(node.safeParse(value).success).toBe(true);
  });

  it('writes plain text from the prompt, clipped to maxTokens', () => {
    const text = generator.text(request);
    expect(text.length).toBeGreaterThan(40);
    expect(text.toLowerCase()).toMatch(/sql|joins|lesson|analyst/);
    expect(generator.text({ ...request, maxTokens: 5 }).length).toBeLessThanOrEqual(20);
  });
});
