// Request and response schemas of /api/roles (the role catalogue) and /api/paths (learning
// paths). The role body is also the shape of one role in config/roles.yaml (roles-config.ts).
import { z } from 'zod';
import { practiceQuestionResponse } from '../practice/practice-schemas.ts';

export const RESOURCE_TYPES = ['article', 'video', 'course', 'book', 'exercise'] as const;

const text = (max: number, what: string) =>
  z
    .string({ message: `must be ${what}` })
    .trim()
    .min(1, `must not be empty`)
    .max(max, `must be at most ${max} characters`)
    // Control characters other than line breaks and tabs never belong in a catalogue.
    // eslint-disable-next-line no-control-regex -- matching them is the point
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), {
      message: 'must not contain control characters',
    });

const skillRef = z
  .string({ message: 'must be a skill id of the knowledge graph' })
  .trim()
  .min(1, 'must be a skill id of the knowledge graph')
  .max(200, 'must be at most 200 characters');

export const slugSchema = z
  .string({ message: 'must be a slug' })
  .trim()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case letters, digits and single dashes')
  .max(80, 'must be at most 80 characters');

const httpUrl = z
  .string({ message: 'must be an http(s) URL' })
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL' },
  );

export const roleSkillInput = z.object({
  skill: skillRef,
  target: z
    .number({ message: 'must be a number above 0 and at most 1' })
    .gt(0, 'must be above 0 and at most 1')
    .max(1, 'must be above 0 and at most 1')
    .optional()
    .describe('the mastery P(L) the role asks for; default MASTERY_THRESHOLD'),
});

export const resourceInput = z.object({
  title: text(300, 'a title'),
  url: httpUrl,
  type: z.enum(RESOURCE_TYPES, { message: `must be one of ${RESOURCE_TYPES.join(', ')}` }),
  description: text(2000, 'a description').nullish(),
  skills: z
    .array(skillRef, { message: 'must be a list of skill ids' })
    .min(1, 'must name at least one skill it teaches')
    .max(100, 'at most 100 skills'),
});

export const roleBody = z.object({
  slug: slugSchema,
  title: text(200, 'a title'),
  summary: text(4000, 'a summary'),
  allowMarkComplete: z.boolean({ message: 'must be true or false' }).default(true),
  includePrerequisites: z.boolean({ message: 'must be true or false' }).default(true),
  skills: z
    .array(roleSkillInput, { message: 'must be a list of skills' })
    .min(1, 'a role needs at least one skill')
    .max(300, 'at most 300 skills'),
  resources: z.array(resourceInput, { message: 'must be a list' }).max(300).default([]),
});
export type RoleInput = z.infer<typeof roleBody>;

export const roleParams = z.object({ ref: z.string().trim().min(1).max(200) });

const skillView = z.object({
  id: z.string(),
  externalId: z.string(),
  name: z.string(),
  target: z.number(),
});

export const resourceView = z.object({
  id: z.string(),
  title: z.string(),
  url: z.string(),
  type: z.enum(RESOURCE_TYPES),
  description: z.string().nullable(),
  skills: z.array(z.object({ id: z.string(), externalId: z.string(), name: z.string() })),
});

export const roleSummary = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  allowMarkComplete: z.boolean(),
  includePrerequisites: z.boolean(),
  skillCount: z.number(),
  resourceCount: z.number(),
  updatedAt: z.string(),
});

export const roleDetail = roleSummary.extend({
  skills: z.array(skillView),
  resources: z.array(resourceView),
});

export const rolesResponse = z.object({ roles: z.array(roleSummary) });
export const roleResponse = z.object({ role: roleDetail });

// --- Paths ---

export const createPathBody = z.object({
  role: z.string({ message: 'must be a role id or slug' }).trim().min(1).max(200),
});
export const pathParams = z.object({ id: z.uuid({ message: 'must be a path id (UUID)' }) });
export const moduleParams = pathParams.extend({
  moduleId: z.uuid({ message: 'must be a module id (UUID)' }),
});
export const planQuery = z.object({
  role: z.string({ message: 'must be a role id or slug' }).trim().min(1).max(200),
});
export const planResponse = z.object({
  role: z.object({ id: z.string(), slug: z.string(), title: z.string() }),
  skillCount: z.number().describe('skills a path made now would hold (0: nothing to learn)'),
  moduleCount: z.number(),
  firstModule: z
    .object({
      title: z.string(),
      skills: z.array(
        z.object({
          id: z.string(),
          externalId: z.string(),
          name: z.string(),
          target: z.number(),
          required: z.boolean().describe('false: a prerequisite of a skill the role asks for'),
          pKnown: z.number(),
        }),
      ),
    })
    .nullable()
    .describe('null when every skill of the role already reaches its target'),
  activePathId: z.string().nullable().describe("the learner's active path for this role, if any"),
});
export const pathsQuery = z.object({
  status: z.enum(['active', 'archived', 'all']).default('all'),
});

const moduleSkill = z.object({
  id: z.string(),
  externalId: z.string(),
  name: z.string(),
  target: z.number(),
  required: z.boolean().describe('false: a prerequisite of a skill the role asks for'),
  pKnown: z.number(),
  mastered: z.boolean().describe('pKnown has reached the target'),
});

const moduleSummary = z.object({
  id: z.string(),
  position: z.number(),
  title: z.string(),
  status: z
    .enum(['locked', 'available', 'completed'])
    .describe(
      'completed by mastery or by the learner; available: the first, or after a completed one',
    ),
  completedBy: z.enum(['mastery', 'learner']).nullable(),
  completedAt: z.string().nullable(),
  skills: z.array(moduleSkill),
  progress: z.number().describe('0..1: the share of its skills at their target'),
});

export const pathSummary = z.object({
  id: z.string(),
  roleId: z.string().nullable(),
  roleTitle: z.string(),
  status: z.enum(['active', 'archived']),
  moduleCount: z.number(),
  completedModules: z.number(),
  progress: z.number().describe('0..1: completed modules over all modules'),
  nextModule: z.object({ id: z.string(), position: z.number(), title: z.string() }).nullable(),
  createdAt: z.string(),
  archivedAt: z.string().nullable(),
});

export const pathDetail = pathSummary.extend({
  userId: z.string(),
  allowMarkComplete: z.boolean(),
  threshold: z.number(),
  modules: z.array(moduleSummary),
});

export const pathsResponse = z.object({
  paths: z.array(pathSummary),
  maxActive: z.number(),
  active: z.number(),
});
export const pathResponse = z.object({ path: pathDetail });

const lessonView = z.object({
  objectives: z.array(z.string()).describe('plain text'),
  explanationHtml: z.string().describe('sanitised HTML'),
  workedExampleHtml: z.string().describe('sanitised HTML'),
  summaryHtml: z.string().describe('sanitised HTML'),
  aiGenerated: z.literal(true),
  offline: z.boolean().describe('written by the built-in offline generator'),
  provider: z.string(),
  model: z.string(),
  promptId: z.string(),
  version: z.number(),
  generatedAt: z.string(),
});

export const moduleResponse = z.object({
  path: pathSummary.extend({ allowMarkComplete: z.boolean() }),
  module: moduleSummary.extend({
    lesson: lessonView,
    resources: z.array(
      z.object({
        title: z.string(),
        url: z.string(),
        type: z.enum(RESOURCE_TYPES),
        description: z.string().nullable(),
        skills: z.array(z.string()).describe('names of the skills it teaches'),
      }),
    ),
    questions: z.array(practiceQuestionResponse),
    navigation: z.object({
      previous: z.object({ id: z.string(), title: z.string() }).nullable(),
      next: z.object({ id: z.string(), title: z.string(), unlocked: z.boolean() }).nullable(),
    }),
  }),
});
