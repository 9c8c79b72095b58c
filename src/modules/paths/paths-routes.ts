// /api/roles (the role catalogue: everyone reads, instructors and admins edit) and /api/paths
// (a learner's learning paths: create, list, archive, resume, modules, mark complete, regenerate).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Role } from '../../infra/db/schema.ts';
import { currentUser } from '../../platform/http/auth.ts';
import {
  createPathBody,
  moduleParams,
  moduleResponse,
  pathParams,
  pathResponse,
  pathsQuery,
  pathsResponse,
  planQuery,
  planResponse,
  roleBody,
  roleParams,
  roleResponse,
  rolesResponse,
} from './paths-schemas.ts';
import type { PathsService } from './paths-service.ts';

const STAFF: Role[] = ['instructor', 'admin'];

export function pathsRoutes(deps: { paths: PathsService }) {
  const { paths } = deps;
  return async function register(app: FastifyInstance): Promise<void> {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/api/roles',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            'The role catalogue: every target role with how many skills and golden resources it has',
          response: { 200: rolesResponse },
        },
      },
      async () => ({ roles: await paths.listRoles() }),
    );

    r.get(
      '/api/roles/:ref',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            'One role (by id or slug): its skills with their target mastery and its golden resources',
          params: roleParams,
          response: { 200: roleResponse },
        },
      },
      async (request) => ({ role: await paths.getRole(request.params.ref) }),
    );

    r.post(
      '/api/roles',
      {
        config: { access: STAFF },
        schema: {
          tags: ['paths'],
          summary:
            'Create a role (instructors, admins). Skills are graph ids (external or internal); an unknown one is 400 naming it; a slug in use is 409',
          body: roleBody,
          response: { 201: roleResponse },
        },
      },
      async (request, reply) => {
        const role = await paths.createRole(currentUser(request), request.body);
        return reply.code(201).send({ role });
      },
    );

    r.put(
      '/api/roles/:ref',
      {
        config: { access: STAFF },
        schema: {
          tags: ['paths'],
          summary:
            'Replace a role with its skills and resources (instructors, admins). Paths already made keep what they were made with',
          params: roleParams,
          body: roleBody,
          response: { 200: roleResponse },
        },
      },
      async (request) => ({
        role: await paths.updateRole(currentUser(request), request.params.ref, request.body),
      }),
    );

    r.delete(
      '/api/roles/:ref',
      {
        config: { access: STAFF },
        schema: {
          tags: ['paths'],
          summary: "Delete a role (instructors, admins); learners' paths for it are kept",
          params: roleParams,
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        await paths.deleteRole(currentUser(request), request.params.ref);
        return reply.code(204).send(null);
      },
    );

    r.get(
      '/api/paths',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            "The learner's own learning paths with progress and the next module, active first",
          querystring: pathsQuery,
          response: { 200: pathsResponse },
        },
      },
      async (request) => paths.listPaths(currentUser(request), request.query.status),
    );

    r.post(
      '/api/paths',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            'Generate a learning path towards a role: the unmastered skills in prerequisite order, grouped into modules, each with a generated lesson. 409 beyond PATHS_MAX_ACTIVE active paths or when one is active for the role; 502/503/504 when the AI provider fails (nothing is stored; retry)',
          body: createPathBody,
          response: { 201: pathResponse },
        },
      },
      async (request, reply) => {
        const path = await paths.createPath(currentUser(request), request.body.role);
        return reply.code(201).send({ path });
      },
    );

    r.get(
      '/api/paths/plan',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            "A dry run of POST /api/paths for the learner: what a path for the role would start with given their mastery now (the first module's title and skills), how many skills and modules it would hold, and their active path for the role. No lesson is written, nothing is stored",
          querystring: planQuery,
          response: { 200: planResponse },
        },
      },
      async (request) => paths.planPreview(currentUser(request), request.query.role),
    );

    r.get(
      '/api/paths/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            "A path with its modules, their skills' mastery and status (locked, available, completed); another learner's path is 404",
          params: pathParams,
          response: { 200: pathResponse },
        },
      },
      async (request) => ({ path: await paths.getPath(currentUser(request), request.params.id) }),
    );

    r.post(
      '/api/paths/:id/archive',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary: 'Archive a path (it stops counting towards the active limit); idempotent',
          params: pathParams,
          response: { 200: pathResponse },
        },
      },
      async (request) => ({
        path: await paths.archivePath(currentUser(request), request.params.id),
      }),
    );

    r.post(
      '/api/paths/:id/resume',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary: 'Make an archived path active again; 409 when the active limit is reached',
          params: pathParams,
          response: { 200: pathResponse },
        },
      },
      async (request) => ({
        path: await paths.resumePath(currentUser(request), request.params.id),
      }),
    );

    r.get(
      '/api/paths/:id/modules/:moduleId',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            'A module: its stored lesson (sanitised HTML, marked AI-generated), golden resources, practice questions and navigation; 409 while locked',
          params: moduleParams,
          response: { 200: moduleResponse },
        },
      },
      async (request) =>
        paths.getModule(currentUser(request), request.params.id, request.params.moduleId),
    );

    r.post(
      '/api/paths/:id/modules/:moduleId/complete',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            'Mark a module complete by hand; 403 when the role (or PATHS_ALLOW_MARK_COMPLETE) turns it off, 409 when locked or the path is archived',
          params: moduleParams,
          response: { 200: pathResponse },
        },
      },
      async (request) => ({
        path: await paths.markComplete(
          currentUser(request),
          request.params.id,
          request.params.moduleId,
        ),
      }),
    );

    r.post(
      '/api/paths/:id/modules/:moduleId/lesson/regenerate',
      {
        config: { access: 'user' },
        schema: {
          tags: ['paths'],
          summary:
            "Write the module's lesson again through the AI provider (the learner or staff); on failure the current lesson is kept",
          params: moduleParams,
          response: { 200: moduleResponse },
        },
      },
      async (request) =>
        paths.regenerateLesson(currentUser(request), request.params.id, request.params.moduleId),
    );
  };
}
