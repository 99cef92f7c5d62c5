/**
 * Reads a V8 CPU profile (the `.cpuprofile` JSON that `node --cpu-prof` and the inspector's
 * Profiler.stop write) into time per function, and formats the top frames per request.
 */
import type { Profiler } from 'node:inspector';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The time one function (name + script + position) spent on the stack, in microseconds. */
export interface FrameCost {
  readonly functionName: string;
  readonly url: string;
  /** 1-based, as editors show it (the profile's callFrame counts from 0). */
  readonly line: number;
  readonly column: number;
  /** Time of every sample with this function anywhere on its stack, counted once per sample. */
  readonly inclusiveUs: number;
  /** Time of every sample with this function on top of its stack. */
  readonly selfUs: number;
}

export interface ProfileSummary {
  /** Sum of every sample's time. */
  readonly totalUs: number;
  /** Time the thread waited in the event loop with nothing to run. */
  readonly idleUs: number;
  /** Every function that got a sample, by inclusive time, largest first. */
  readonly frames: readonly FrameCost[];
}

/** V8's pseudo-frames that are not work done for a request: the tree's root and the idle loop. */
const NOT_WORK = new Set(['(root)', '(idle)']);

/**
 * Time per function across the whole call tree. A function reached by several paths adds up
 * over them; a function that appears more than once on one stack (recursion, or a callback
 * re-entering it) counts that sample's time once, so no inclusive time exceeds the total.
 *
 * Sample i lasts until sample i+1 is taken (the last one until the profile's end), the
 * convention of Chrome DevTools.
 */
export function analyseProfile(profile: Profiler.Profile): ProfileSummary {
  const parentOf = new Map<number, number>();
  const nodeById = new Map<number, Profiler.ProfileNode>();
  for (const node of profile.nodes) {
    nodeById.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }

  const selfByNode = sampleTimeByNode(profile);
  const frames = new Map<string, { -readonly [K in keyof FrameCost]: FrameCost[K] }>();
  const frameOf = (node: Profiler.ProfileNode) => {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    const key = `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`;
    let frame = frames.get(key);
    if (!frame) {
      const name = functionName || '(anonymous)';
      frame = { functionName: name, url, line: lineNumber + 1, column: columnNumber + 1, inclusiveUs: 0, selfUs: 0 };
      frames.set(key, frame);
    }
    return frame;
  };

  let totalUs = 0;
  let idleUs = 0;
  for (const [nodeId, us] of selfByNode) {
    const node = nodeById.get(nodeId);
    if (!node) throw new Error(`the profile samples node ${nodeId}, which it does not list`);
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') idleUs += us;
    frameOf(node).selfUs += us;
    const onStack = new Set<object>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const frame = frameOf(nodeById.get(id)!);
      if (onStack.has(frame)) continue;
      onStack.add(frame);
      frame.inclusiveUs += us;
    }
  }
  const sorted = [...frames.values()].sort((a, b) => b.inclusiveUs - a.inclusiveUs || b.selfUs - a.selfUs);
  return { totalUs, idleUs, frames: sorted };
}

/** Microseconds of samples per node id. */
function sampleTimeByNode(profile: Profiler.Profile): Map<number, number> {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length === 0 || deltas.length !== samples.length) {
    throw new Error('the profile has no per-sample timing (samples and timeDeltas)');
  }
  let at = profile.startTime;
  const times = deltas.map((delta) => (at += delta));
  for (let i = 0; i < samples.length; i++) {
    const next = i + 1 < samples.length ? times[i + 1]! : profile.endTime;
    // V8 can record a sample slightly out of order; such a sample lasted no time.
    const us = Math.max(0, next - times[i]!);
    byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + us);
  }
  return byNode;
}

/** The frames that are work (not the root, not idle), largest inclusive time first. */
export function topFrames(summary: ProfileSummary, count: number): FrameCost[] {
  return summary.frames.filter((frame) => !NOT_WORK.has(frame.functionName)).slice(0, count);
}

/** `path:line` with file URLs shown relative to `root`; V8's pseudo-frames have no location. */
export function frameLocation(frame: FrameCost, root: string): string {
  if (!frame.url) return '(native)';
  const path = frame.url.startsWith('file://') ? relative(root, fileURLToPath(frame.url)) : frame.url;
  return `${path}:${frame.line}`;
}

/**
 * Who owns a frame's code: an npm package (by its node_modules folder), a workspace package,
 * an area of Node's own code, or one of V8's pseudo-frames such as the garbage collector. A function with
 * no script (a native binding such as writev, or code built by `new Function` such as ajv's
 * validators) is its own owner, by name: lumped together they would hide where the time goes.
 */
export function ownerOf(frame: FrameCost, root: string): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : `no file: ${frame.functionName}`;
  // Node's own modules by area (node:events, node:_http_server, node:internal/streams): one lump would hide too much.
  if (!frame.url.startsWith('file://')) return frame.url.startsWith('node:') ? frame.url.split('/').slice(0, 2).join('/') : frame.url;
  const path = fileURLToPath(frame.url);
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const [scopeOrName, name] = path.slice(inModules + '/node_modules/'.length).split('/');
    return scopeOrName!.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName!;
  }
  const inRoot = relative(root, path);
  const workspace = /^packages\/[^/]+/.exec(inRoot);
  return workspace ? workspace[0] : inRoot;
}

/** Self time summed by owner (see ownerOf), largest first; idle time is not work and is left out. */
export function selfTimeByOwner(summary: ProfileSummary, root: string): Array<{ owner: string; selfUs: number }> {
  const byOwner = new Map<string, number>();
  for (const frame of summary.frames) {
    if (NOT_WORK.has(frame.functionName) || frame.selfUs === 0) continue;
    const owner = ownerOf(frame, root);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + frame.selfUs);
  }
  return [...byOwner].map(([owner, selfUs]) => ({ owner, selfUs })).sort((a, b) => b.selfUs - a.selfUs);
}

/**
 * The breakdown the bench prints: the top frames by inclusive time, as microseconds per
 * request (time / requests served while the profile ran).
 */
export function formatBreakdown(summary: ProfileSummary, requests: number, count: number, root: string): string[] {
  const perRequest = (us: number) => (us / requests).toFixed(1).padStart(9);
  const busyUs = summary.totalUs - summary.idleUs;
  const idlePercent = ((100 * summary.idleUs) / Math.max(1, summary.totalUs)).toFixed(0);
  const lines = [
    `CPU profile of the server: ${requests} requests in ${(summary.totalUs / 1e6).toFixed(2)} s sampled,` +
      ` ${(busyUs / requests).toFixed(0)} µs busy per request (${idlePercent}% idle)`,
    `${'incl µs/req'.padStart(11)}  ${'self µs/req'.padStart(11)}  ${'% busy'.padStart(6)}  function (file:line)`,
  ];
  for (const frame of topFrames(summary, count)) {
    const share = ((100 * frame.inclusiveUs) / Math.max(1, busyUs)).toFixed(0).padStart(6);
    const where = `${frame.functionName} (${frameLocation(frame, root)})`;
    lines.push(`${perRequest(frame.inclusiveUs).padStart(11)}  ${perRequest(frame.selfUs).padStart(11)}  ${share}  ${where}`);
  }
  // Inclusive time names the paths; self time by owner names who spends it.
  lines.push('', `${'self µs/req'.padStart(11)}  ${'% busy'.padStart(6)}  owner of the code`);
  for (const { owner, selfUs } of selfTimeByOwner(summary, root).slice(0, count)) {
    lines.push(`${perRequest(selfUs).padStart(11)}  ${((100 * selfUs) / Math.max(1, busyUs)).toFixed(0).padStart(6)}  ${owner}`);
  }
  return lines;
}

/** The breakdown as data, for the bench's JSON results. */
export function perRequestReport(summary: ProfileSummary, requests: number, count: number, root: string) {
  return {
    requests,
    sampledUs: summary.totalUs,
    idleUs: summary.idleUs,
    topFrames: topFrames(summary, count).map((frame) => ({
      function: frame.functionName,
      location: frameLocation(frame, root),
      inclusiveUsPerRequest: frame.inclusiveUs / requests,
      selfUsPerRequest: frame.selfUs / requests,
    })),
    selfTimeByOwner: selfTimeByOwner(summary, root)
      .slice(0, count)
      .map(({ owner, selfUs }) => ({ owner, selfUsPerRequest: selfUs / requests })),
  };
}
