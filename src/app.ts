// buildApp: the Fastify application with its platform plugins and every module's routes.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Deps } from './container.ts';
import type { JobEventOptions } from './modules/jobs/job-events.ts';
import { accountsRoutes } from './modules/accounts/accounts-routes.ts';
import { usersRoutes } from './modules/accounts/users-routes.ts';
import { filesRoutes } from './modules/files/files-routes.ts';
import { graphRoutes } from './modules/graph/graph-routes.ts';
import { jobsRoutes } from './modules/jobs/jobs-routes.ts';
import { healthRoutes } from './modules/ops/health-routes.ts';
import { llmUsageRoutes } from './modules/ops/llm-usage-routes.ts';
import { pathsRoutes } from './modules/paths/paths-routes.ts';
import { practiceRoutes } from './modules/practice/practice-routes.ts';
import { placementRoutes } from './modules/assessment/placement-routes.ts';
import { ocrIngestRoutes } from './modules/questions/ocr-ingest-routes.ts';
import { questionsRoutes } from './modules/questions/questions-routes.ts';
import { taggingRoutes } from './modules/questions/tagging-routes.ts';
import { recommendationsRoutes } from './modules/recommendations/recommendations-routes.ts';
import { trackerRoutes } from './modules/tracker/tracker-routes.ts';
import { registerAuth, type RouteAccess } from './platform/http/auth.ts';
import { registerErrorHandling, sendNotFoundProblem } from './platform/http/error-handler.ts';
import { createMetricsRegistry, registerMetrics } from './platform/http/metrics.ts';
import { registerOpenApi } from './platform/http/openapi.ts';
import { registerCsrfCheck, registerSecurity } from './platform/http/security.ts';
import { projectPath } from './platform/paths.ts';

export const APP_VERSION = '0.1.0';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const defaultWebRoot = projectPath('web', 'dist');

export interface RouteSummary {
  method: string;
  url: string;
  access: RouteAccess | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its declared access: for tests and the route audit. */
    routeSummaries: RouteSummary[];
  }
}

export interface BuildAppOptions {
  /** The built SPA to serve; omitted or missing directory means API only. */
  webRoot?: string | undefined;
  /** Timings of the job event streams (tests make them fast). */
  jobEvents?: JobEventOptions | undefined;
}

export async function buildApp(
  deps: Deps,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  const routes: RouteSummary[] = [];
  app.decorate('routeSummaries', routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({ method, url: route.url, access: route.config?.access ?? null });
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // While shutting down, responses to in-flight requests close their keep-alive connection,
  // so close() does not wait on clients that would otherwise hold idle sockets open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  registerErrorHandling(app, config.bodyLimitBytes);
  registerMetrics(app, config, createMetricsRegistry());
  await registerOpenApi(app, APP_VERSION);
  await registerSecurity(app, config);
  await app.register(fastifyRateLimit, { global: false });
  registerAuth(app, config, deps.accounts);
  registerCsrfCheck(app);

  await app.register(healthRoutes(deps));
  await app.register(accountsRoutes(deps));
  await app.register(usersRoutes(deps));
  await app.register(filesRoutes(deps));
  await app.register(graphRoutes(deps));
  await app.register(llmUsageRoutes(deps));
  await app.register(jobsRoutes(deps, { events: options.jobEvents }));
  await app.register(questionsRoutes(deps));
  await app.register(taggingRoutes(deps));
  await app.register(ocrIngestRoutes(deps));
  await app.register(trackerRoutes(deps));
  await app.register(recommendationsRoutes(deps));
  await app.register(practiceRoutes(deps));
  await app.register(placementRoutes(deps));
  await app.register(pathsRoutes(deps));

  const webRoot = options.webRoot;
  const hasWeb = webRoot !== undefined && existsSync(path.join(webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: true, index: false });
    // The site's address itself: the SPA (which sends a visitor on to the dashboard or login).
    app.get('/', { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false }),
    );
  }
  app.setNotFoundHandler((request, reply) => {
    // Client-side routes of the SPA get its index page; everything else a 404 problem.
    const isPage =
      request.method === 'GET' &&
      !request.url.startsWith('/api/') &&
      (request.headers.accept ?? '').includes('text/html');
    if (hasWeb && isPage) {
      return reply
        .header('cache-control', 'no-cache')
        .sendFile('index.html', { cacheControl: false });
    }
    return sendNotFoundProblem(request, reply);
  });
  return app;
}
