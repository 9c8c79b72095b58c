// The lesson of a path module, written through the LLM gateway (feature `lesson`, prompt
// config/prompts/lesson.v2.yaml, structured output checked by zod). The gateway's offline
// generator fills any schema with words of the prompt, which reads as noise for a lesson; so when
// the gateway reports that the offline generator answered, the text is composed here instead,
// deterministically, from the graph's own names and descriptions of the module's skills. The
// call is still made and recorded (ledger, prompt version), and the lesson is labelled offline.
import { z } from 'zod';
import type { LlmGateway } from '../../infra/llm/llm-gateway.ts';

export const LESSON_FEATURE = 'lesson';
export const LESSON_PROMPT = 'lesson.v2';

export const lessonSchema = z.object({
  objectives: z.array(z.string().trim().min(1).max(400)).min(1).max(8),
  explanation: z.string().trim().min(1).max(20_000),
  workedExample: z.string().trim().min(1).max(10_000),
  summary: z.string().trim().min(1).max(2000),
});
export type LessonContent = z.infer<typeof lessonSchema>;

export interface LessonSkill {
  name: string;
  description: string;
  conceptName: string | null;
  pKnown: number;
}

export interface LessonRequest {
  role: string;
  module: string;
  skills: readonly LessonSkill[];
  /** Names of the skills of earlier modules and the prerequisites already mastered. */
  before: readonly string[];
  userId: string | null;
}

export interface WrittenLesson {
  content: LessonContent;
  provider: string;
  model: string;
  promptId: string;
  offline: boolean;
  callId: string;
}

export function levelFor(skills: readonly LessonSkill[]): 'beginner' | 'intermediate' | 'advanced' {
  const mean = skills.reduce((s, k) => s + k.pKnown, 0) / Math.max(1, skills.length);
  return mean < 0.4 ? 'beginner' : mean < 0.75 ? 'intermediate' : 'advanced';
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const sentence = (s: string) => {
  const t = oneLine(s);
  return t === '' ? t : /[.!?]$/.test(t) ? t : `${t}.`;
};

/** The offline lesson: the module's skills, their descriptions and how they build on each other. */
export function composeOfflineLesson(request: LessonRequest): LessonContent {
  const { skills } = request;
  const objectives = skills.map((s) => sentence(s.name));
  const parts: string[] = [];
  parts.push(
    `This module works towards **${oneLine(request.role)}**. It covers ${skills.length} skill${skills.length === 1 ? '' : 's'}, in an order where each one builds on the ones before.`,
  );
  if (request.before.length > 0) {
    parts.push(
      `It uses what you met earlier: ${request.before.slice(-4).map(lowerFirst).join(', ')}.`,
    );
  }
  skills.forEach((s, i) => {
    const lines = [`### ${i + 1}. ${oneLine(s.name)}`, '', sentence(s.description || s.name)];
    if (i > 0) {
      lines.push(
        '',
        `This step builds on *${lowerFirst(oneLine(skills[i - 1]?.name ?? ''))}*: make sure that is secure before you go on.`,
      );
    }
    parts.push(lines.join('\n'));
  });
  const steps = skills.map((s, i) => `${i + 1}. ${sentence(s.description || s.name)}`).join('\n');
  const workedExample = [
    `Work through a problem that needs ${skills.length === 1 ? 'this skill' : 'these skills together'}, one step per skill:`,
    '',
    steps,
    '',
    'Check each step before the next: most mistakes come from an earlier step carried forward. Then try the practice questions below, which test exactly these skills.',
  ].join('\n');
  const summary = `You have covered ${skills.map((s) => lowerFirst(oneLine(s.name))).join(', ')}. Practise until every skill's mastery bar reaches its target; the module then completes and the next one unlocks.`;
  return { objectives, explanation: parts.join('\n\n'), workedExample, summary };
}

/** Write one module's lesson; throws the gateway's typed errors (502, 503, 504, 429). */
export async function writeLesson(llm: LlmGateway, request: LessonRequest): Promise<WrittenLesson> {
  const result = await llm.generateObject({
    feature: LESSON_FEATURE,
    prompt: LESSON_PROMPT,
    variables: {
      role: oneLine(request.role).slice(0, 200),
      module: oneLine(request.module).slice(0, 200),
      level: levelFor(request.skills),
      skills: request.skills
        .map((s) => `${oneLine(s.name)}: ${oneLine(s.description).slice(0, 500)}`)
        .join('\n'),
      prerequisites:
        request.before.length > 0 ? request.before.slice(-10).map(oneLine).join('\n') : 'none',
    },
    schema: lessonSchema,
    schemaName: 'lesson',
    userId: request.userId,
  });
  return {
    content: result.offline ? composeOfflineLesson(request) : result.object,
    provider: result.provider,
    model: result.model,
    promptId: result.promptId,
    offline: result.offline,
    callId: result.callId,
  };
}
