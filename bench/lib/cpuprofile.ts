// Summarising a V8 .cpuprofile (node --cpu-prof): self time by function and by package, and the
// time during which a package has a frame anywhere on the (synchronous) stack.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time in the analysed window, idle excluded (ms). */
  busyMs: number;
  idleMs: number;
  selfByFunction: Share[];
  selfByPackage: Share[];
  /** Time with at least one frame of the package/file on the stack (overlaps; sums past 100%). */
  inclusiveByPackage: Share[];
  inclusiveByFunction: Share[];
}

const ROOT = 'file:///work/main/';

/** node_modules/<pkg>, src/<file>, node:<module>, or a V8 pseudo-frame such as (garbage collector). */
export function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) {
    const name = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${name.split('/')[0]}`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  // Files of the code under test, wherever it is (the checkout, a snapshot or a patched copy).
  const src = /\/(src\/.*)$/.exec(url);
  if (src) return src[1]!;
  return url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
}

function functionKey(frame: CallFrame): string {
  const where = packageOf(frame);
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  // tsx compiles src/ on the fly: its line numbers are not the source's.
  return frame.url.endsWith('.ts')
    ? `${name} ${where}`
    : `${name} ${where}:${frame.lineNumber + 1}`;
}

const IDLE = new Set(['(idle)']);

/**
 * Summarise the samples after the last idle stretch of at least `idleGapMs` before the end (the
 * benchmark sleeps before its measured load, so this drops start-up and warm-up).
 */
export function summarise(file: string, options: { idleGapMs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  const isIdle = (id: number) => IDLE.has(byId.get(id)!.callFrame.functionName);
  // Find where the window starts: after the last stretch of idleGapMs in 100 ms bins that are
  // each at least 90% idle (a timer or GC now and then does not end an idle stretch).
  const BIN_MS = 100;
  const bins: { firstSample: number; idle: number; total: number }[] = [];
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const b = Math.floor(elapsed / BIN_MS);
    while (bins.length <= b) bins.push({ firstSample: i, idle: 0, total: 0 });
    bins[b]!.total += ms;
    if (isIdle(profile.samples[i]!)) bins[b]!.idle += ms;
    elapsed += ms;
  }
  let start = 0;
  let quietBins = 0;
  for (const bin of bins) {
    const quiet = bin.total === 0 || bin.idle / bin.total >= 0.9;
    if (quiet) {
      quietBins++;
    } else {
      if (quietBins * BIN_MS >= options.idleGapMs) start = bin.firstSample;
      quietBins = 0;
    }
  }

  const self = new Map<string, number>();
  const selfPkg = new Map<string, number>();
  const inclPkg = new Map<string, number>();
  const inclFn = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let busy = 0;
  let idle = 0;
  for (let i = start; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    // The delta before sample i+1 is the time spent in sample i.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id)!;
    if (isIdle(id)) {
      idle += ms;
      continue;
    }
    busy += ms;
    add(self, functionKey(node.callFrame), ms);
    add(selfPkg, packageOf(node.callFrame), ms);
    const pkgs = new Set<string>();
    const fns = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = byId.get(n)!.callFrame;
      if (frame.functionName === '(root)') continue;
      pkgs.add(packageOf(frame));
      fns.add(functionKey(frame));
    }
    for (const p of pkgs) add(inclPkg, p, ms);
    for (const f of fns) add(inclFn, f, ms);
  }
  const ranked = (m: Map<string, number>): Share[] =>
    [...m].map(([name, ms]) => ({ name, ms, share: ms / busy })).sort((a, b) => b.ms - a.ms);
  return {
    busyMs: busy,
    idleMs: idle,
    selfByFunction: ranked(self),
    selfByPackage: ranked(selfPkg),
    inclusiveByPackage: ranked(inclPkg),
    inclusiveByFunction: ranked(inclFn),
  };
}
