// The fake OpenAI-compatible server of the tests (test/helpers/fake-openai-server.ts) in its own
// process, so the benchmark's client and the server do not share an event loop. Controlled over
// IPC: {latencyMs} sets the answer delay (and forgets the recorded requests), {stats: true} asks
// for the most requests it answered at once. Started by bench/llm-gateway.ts with fork().
import { startFakeOpenAiServer } from '../../test/helpers/fake-openai-server.ts';

const BENCH_ANSWER = JSON.stringify({ ok: true, greeting: 'Hello from the benchmark' });
const BENCH_USAGE = { inputTokens: 60, outputTokens: 12 };

export type ControlMessage = { latencyMs: number } | { stats: true };
export type ReplyMessage =
  { baseUrl: string } | { ready: true } | { maxInFlight: number; requests: number };

const server = await startFakeOpenAiServer();
let latencyMs = 0;

function configure(): void {
  server.reset();
  server.setFallback(() => ({
    kind: 'reply',
    content: BENCH_ANSWER,
    usage: BENCH_USAGE,
    ...(latencyMs > 0 ? { latencyMs } : {}),
  }));
}

function send(message: ReplyMessage): void {
  process.send?.(message);
}

configure();
process.on('message', (message: ControlMessage) => {
  if ('stats' in message) {
    send({ maxInFlight: server.maxInFlight, requests: server.requests.length });
    return;
  }
  latencyMs = message.latencyMs;
  configure();
  send({ ready: true });
});
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});
send({ baseUrl: server.baseUrl });
