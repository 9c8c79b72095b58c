// The baseline of the /api/me benchmark: a plain Fastify 5 app returning constant JSON, run as its
// own process so that it pays the same process and HTTP costs as the SkillBridge server.
//   node --import tsx bench/bare-server.ts [port]      (or PORT=…; HOST defaults to 127.0.0.1)
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? process.env.PORT ?? 3001);
const host = process.env.HOST ?? '127.0.0.1';

const app = Fastify({ logger: false });
app.get('/bare', async () => ({ ok: true, id: 'constant' }));
// For the harness's readiness poll (test/helpers/server-process.ts waits for /readyz).
app.get('/readyz', async () => ({ status: 'ok' }));

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

await app.listen({ host, port });
console.log(`bare Fastify listening on http://${host}:${port}`);
