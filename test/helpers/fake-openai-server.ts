// A small OpenAI-compatible (and Anthropic Messages) HTTP server on 127.0.0.1 whose every answer
// the test decides: latency, status codes with Retry-After, malformed JSON, a reset connection,
// token counts (cached ones included) and the content of the answer. The real AI SDK provider
// clients talk to it over HTTP, so their request building and response parsing run for real.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export type FakeBehaviour =
  /** 200 with this assistant content (a JSON string for structured output). */
  | {
      kind: 'reply';
      content: string;
      usage?: FakeUsage;
      finishReason?: 'stop' | 'length';
      latencyMs?: number;
    }
  /** An error status with an optional body and headers (e.g. retry-after). */
  | {
      kind: 'error';
      status: number;
      headers?: Record<string, string>;
      body?: unknown;
      latencyMs?: number;
    }
  /** 200 whose body is not JSON at all. */
  | { kind: 'malformed'; latencyMs?: number }
  /** The connection is destroyed before any answer. */
  | { kind: 'reset'; latencyMs?: number }
  /** No answer until the client gives up or the server closes. */
  | { kind: 'hang' };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface FakeOpenAiServer {
  /** Base URL including /v1, as the providers expect it. */
  baseUrl: string;
  /** Root URL without /v1 (what users put in OLLAMA_BASE_URL). */
  rootUrl: string;
  requests: RecordedRequest[];
  /** The most requests the server was answering at the same time. */
  maxInFlight: number;
  inFlight: number;
  /** Answers for the next requests, in order; when empty, `fallback` answers. */
  queue(...behaviours: FakeBehaviour[]): void;
  /** The answer for every request the queue does not cover. */
  setFallback(behaviour: FakeBehaviour | ((req: RecordedRequest) => FakeBehaviour)): void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_USAGE = { inputTokens: 12, outputTokens: 8, cacheReadTokens: 0, cacheWriteTokens: 0 };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function openAiCompletion(model: string, b: Extract<FakeBehaviour, { kind: 'reply' }>) {
  const u = { ...DEFAULT_USAGE, ...b.usage };
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: 1_767_225_600,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: b.content },
        finish_reason: b.finishReason ?? 'stop',
      },
    ],
    usage: {
      prompt_tokens: u.inputTokens,
      completion_tokens: u.outputTokens,
      total_tokens: u.inputTokens + u.outputTokens,
      prompt_tokens_details: {
        cached_tokens: u.cacheReadTokens,
        ...(u.cacheWriteTokens ? { cache_write_tokens: u.cacheWriteTokens } : {}),
      },
    },
  };
}

/**
 * Anthropic's shape. When the client asked for structured output through its `json` tool, the
 * content comes back as that tool's input, as Claude would send it.
 */
function anthropicMessage(
  model: string,
  b: Extract<FakeBehaviour, { kind: 'reply' }>,
  body: Record<string, unknown>,
) {
  const u = { ...DEFAULT_USAGE, ...b.usage };
  const tools = Array.isArray(body.tools) ? (body.tools as { name?: string }[]) : [];
  const jsonTool = tools.some((t) => t.name === 'json');
  let content: unknown[];
  let stop = b.finishReason === 'length' ? 'max_tokens' : 'end_turn';
  if (jsonTool) {
    let input: unknown;
    try {
      input = JSON.parse(b.content);
    } catch {
      input = { raw: b.content };
    }
    content = [{ type: 'tool_use', id: 'toolu_fake', name: 'json', input }];
    stop = 'tool_use';
  } else {
    content = [{ type: 'text', text: b.content }];
  }
  return {
    id: `msg_${Math.random().toString(36).slice(2)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      // Anthropic reports uncached input apart from cache reads and writes.
      input_tokens: u.inputTokens - u.cacheReadTokens - u.cacheWriteTokens,
      output_tokens: u.outputTokens,
      cache_read_input_tokens: u.cacheReadTokens,
      cache_creation_input_tokens: u.cacheWriteTokens,
    },
  };
}

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const pending: FakeBehaviour[] = [];
  let fallback: FakeBehaviour | ((req: RecordedRequest) => FakeBehaviour) = {
    kind: 'reply',
    content: 'Hello from the fake server.',
  };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = {
    requests: [] as RecordedRequest[],
    maxInFlight: 0,
    inFlight: 0,
  };

  const wait = (ms: number | undefined) =>
    new Promise<void>((resolve) => {
      if (!ms) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // recorded as empty
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const recorded: RecordedRequest = { path, headers: req.headers, body, at: performance.now() };
    state.requests.push(recorded);
    const behaviour =
      pending.shift() ?? (typeof fallback === 'function' ? fallback(recorded) : fallback);
    if (behaviour.kind === 'hang') return; // answered never; the socket dies with the client
    await wait(behaviour.latencyMs);
    if (res.destroyed) return;
    const model = typeof body.model === 'string' ? body.model : 'fake-model';
    switch (behaviour.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "chatcmpl-broken", "choices": [ {"index": 0, "message": ');
        return;
      case 'error':
        res.writeHead(behaviour.status, {
          'content-type': 'application/json',
          ...behaviour.headers,
        });
        res.end(
          JSON.stringify(
            behaviour.body ?? {
              error: { message: `fake error ${behaviour.status}`, type: 'fake_error' },
            },
          ),
        );
        return;
      case 'reply': {
        const payload =
          path === '/v1/messages'
            ? anthropicMessage(model, behaviour, body)
            : openAiCompletion(model, behaviour);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
        return;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    const known =
      req.method === 'POST' &&
      (req.url?.startsWith('/v1/chat/completions') || req.url?.startsWith('/v1/messages'));
    if (!known) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      state.inFlight -= 1;
    };
    res.on('close', finish);
    handle(req, res).catch(() => {
      res.destroy();
      finish();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const rootUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `${rootUrl}/v1`,
    rootUrl,
    get requests() {
      return state.requests;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    get inFlight() {
      return state.inFlight;
    },
    queue(...behaviours) {
      pending.push(...behaviours);
    },
    setFallback(behaviour) {
      fallback = behaviour;
    },
    reset() {
      pending.length = 0;
      state.requests = [];
      state.maxInFlight = state.inFlight;
      fallback = { kind: 'reply', content: 'Hello from the fake server.' };
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
