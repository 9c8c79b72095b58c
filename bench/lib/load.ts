// One autocannon run against a server process, with the server's CPU use over the run.
import autocannon, { type Options as AutocannonOptions } from 'autocannon';
import { cpuSeconds, machineBusySeconds } from './proc.ts';

export interface LoadResult {
  /** Mean of autocannon's per-second request counts (its "Req/Sec" average). */
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Server CPU seconds per wall-clock second over the run (1.0 = one full core). */
  serverCpu: number;
  /** The bench process's own CPU over the run (autocannon), same unit. */
  clientCpu: number;
  /** CPU used by everything else on the machine over the run (other users' work), same unit. */
  otherCpu: number;
}

export function isValid(r: LoadResult): boolean {
  return r.non2xx === 0 && r.errors === 0 && r.timeouts === 0 && r.total > 0;
}

export async function load(options: {
  url: string;
  pid: number;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  /** autocannon request descriptions (method, path, setupRequest), e.g. a body per request. */
  requests?: AutocannonOptions['requests'];
}): Promise<LoadResult> {
  const cpu0 = cpuSeconds(options.pid);
  const client0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
  });
  const wall = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  const serverCpu = (cpuSeconds(options.pid) - cpu0) / wall;
  const clientCpu = (client.user + client.system) / 1e6 / wall;
  const busy = (machineBusySeconds() - busy0) / wall;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result['2xx'] + result.non2xx,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpu,
    clientCpu,
    otherCpu: Math.max(0, busy - serverCpu - clientCpu),
  };
}

/** A short run whose figures are thrown away: JIT, connection set-up, caches. */
export async function warmUp(options: Parameters<typeof load>[0]): Promise<void> {
  await load(options);
}
