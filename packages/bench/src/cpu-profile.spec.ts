import fc from 'fast-check';
import type { Profiler } from 'node:inspector';
import {
  analyseProfile,
  formatBreakdown,
  frameLocation,
  ownerOf,
  perRequestReport,
  selfTimeByOwner,
  topFrames,
  type FrameCost,
} from './cpu-profile';

const frame = (functionName: string, url = '', lineNumber = -1): Profiler.ProfileNode['callFrame'] => ({
  functionName,
  scriptId: '0',
  url,
  lineNumber,
  columnNumber: 0,
});

/**
 * (root) ─ main ─ recurse ─ recurse ─ leaf      main calls itself through `recurse`
 *        ├ (idle)
 *        └ other ─ leaf                          the same `leaf` by a second path
 */
const handMade: Profiler.Profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6, 7] },
    { id: 2, callFrame: frame('main', 'file:///srv/app/a.js', 9), children: [3] },
    { id: 3, callFrame: frame('recurse', 'file:///srv/app/a.js', 19), children: [4] },
    { id: 4, callFrame: frame('recurse', 'file:///srv/app/a.js', 19), children: [5] },
    { id: 5, callFrame: frame('leaf', 'file:///srv/app/b.js', 4), children: [] },
    { id: 6, callFrame: frame('(idle)'), children: [] },
    { id: 7, callFrame: frame('other', 'file:///srv/app/c.js', 0), children: [8] },
    { id: 8, callFrame: frame('leaf', 'file:///srv/app/b.js', 4), children: [] },
  ],
  startTime: 1000,
  // Samples at 1000, 1100, 1300, 1700, 2500; the profile ends at 2600.
  samples: [5, 4, 6, 8, 5],
  timeDeltas: [0, 100, 200, 400, 800],
  endTime: 2600,
};

const byName = (frames: readonly FrameCost[], name: string) => frames.find((f) => f.functionName === name);

describe('analyseProfile', () => {
  const summary = analyseProfile(handMade);

  it('gives each sample the time until the next one, the last one until the end', () => {
    expect(summary.totalUs).toBe(1600);
    expect(summary.idleUs).toBe(400);
    expect(byName(summary.frames, 'leaf')?.selfUs).toBe(100 + 100 + 800);
  });

  it('adds a function reached by two paths over both', () => {
    expect(byName(summary.frames, 'leaf')).toMatchObject({ inclusiveUs: 1000, selfUs: 1000 });
  });

  it('counts a recursive function once per sample, not once per stack entry', () => {
    // Samples under recurse: leaf (100 + 100 µs) and recurse itself (200 µs). Counting every
    // stack entry would give 800.
    expect(byName(summary.frames, 'recurse')).toMatchObject({ inclusiveUs: 400, selfUs: 200 });
    expect(byName(summary.frames, 'main')).toMatchObject({ inclusiveUs: 400, selfUs: 0 });
  });

  it('includes the time of callees in a caller', () => {
    expect(byName(summary.frames, 'other')).toMatchObject({ inclusiveUs: 800, selfUs: 0 });
    expect(byName(summary.frames, '(root)')?.inclusiveUs).toBe(1600);
  });

  it('ranks work by inclusive time, leaving out the root and the idle loop', () => {
    expect(topFrames(summary, 10).map((f) => f.functionName)).toEqual(['leaf', 'other', 'recurse', 'main']);
    expect(topFrames(summary, 2).map((f) => f.functionName)).toEqual(['leaf', 'other']);
  });

  it('gives an out-of-order sample no time instead of a negative one', () => {
    const skewed = analyseProfile({ ...handMade, timeDeltas: [0, 100, 500, -100, 800], endTime: 2600 });
    // Times 1000, 1100, 1600, 1500, 2300: the idle sample at 1600 ends "before" it began.
    expect(skewed.idleUs).toBe(0);
    expect(skewed.totalUs).toBe(100 + 500 + 0 + 800 + 300);
  });

  it('refuses a profile without per-sample timing', () => {
    expect(() => analyseProfile({ ...handMade, timeDeltas: undefined })).toThrow(/timeDeltas/);
  });
});

describe('formatBreakdown', () => {
  it('prints microseconds per request with file:line relative to the root', () => {
    const lines = formatBreakdown(analyseProfile(handMade), 4, 10, '/srv/app');
    expect(lines[0]).toContain('4 requests');
    expect(lines[0]).toContain('300 µs busy per request');
    const leaf = lines.find((line) => line.includes('leaf'));
    expect(leaf).toMatch(/^\s*250\.0\s+250\.0\s+83\s+leaf \(b\.js:5\)$/);
    expect(lines.find((line) => line.includes('recurse'))).toMatch(/^\s*100\.0\s+50\.0\s+33\s+recurse \(a\.js:20\)$/);
    // Then self time by owner: b.js (leaf) 1000 µs, a.js (recurse) 200 µs; the idle loop is not work.
    expect(lines.slice(8)).toEqual([expect.stringMatching(/^\s*250\.0\s+83\s+b\.js$/), expect.stringMatching(/^\s*50\.0\s+17\s+a\.js$/)]);
    expect(lines).toHaveLength(2 + 4 + 2 + 2);
  });

  it('shows V8 pseudo-frames and node internals without a file path', () => {
    const gc: FrameCost = { functionName: '(garbage collector)', url: '', line: 0, column: 0, inclusiveUs: 1, selfUs: 1 };
    expect(frameLocation(gc, '/srv')).toBe('(native)');
    expect(frameLocation({ ...gc, url: 'node:events', line: 517 }, '/srv')).toBe('node:events:517');
  });
});

describe('perRequestReport', () => {
  it('gives the same figures as the printed breakdown, per request', () => {
    expect(perRequestReport(analyseProfile(handMade), 4, 2, '/srv/app')).toEqual({
      requests: 4,
      sampledUs: 1600,
      idleUs: 400,
      topFrames: [
        { function: 'leaf', location: 'b.js:5', inclusiveUsPerRequest: 250, selfUsPerRequest: 250 },
        { function: 'other', location: 'c.js:1', inclusiveUsPerRequest: 200, selfUsPerRequest: 0 },
      ],
      selfTimeByOwner: [
        { owner: 'b.js', selfUsPerRequest: 250 },
        { owner: 'a.js', selfUsPerRequest: 50 },
      ],
    });
  });
});

describe('ownerOf', () => {
  const at = (url: string, functionName = 'f'): FrameCost => ({ functionName, url, line: 1, column: 1, inclusiveUs: 1, selfUs: 1 });
  it('names the npm package, scoped or not, by its innermost node_modules folder', () => {
    expect(ownerOf(at('file:///repo/node_modules/express/lib/router.js'), '/repo')).toBe('express');
    expect(ownerOf(at('file:///repo/node_modules/a/node_modules/@scope/b/index.js'), '/repo')).toBe('@scope/b');
  });
  it('names a workspace package by its folder, and V8 and Node by what they are', () => {
    expect(ownerOf(at('file:///repo/packages/server/dist/http/app.js'), '/repo')).toBe('packages/server');
    expect(ownerOf(at('node:internal/streams/readable'), '/repo')).toBe('node:internal/streams');
    expect(ownerOf(at('node:_http_server'), '/repo')).toBe('node:_http_server');
    expect(ownerOf(at('', '(garbage collector)'), '/repo')).toBe('(garbage collector)');
    expect(ownerOf(at('', 'writev'), '/repo')).toBe('no file: writev');
  });
  it('sums self time per owner and leaves out the idle loop', () => {
    expect(selfTimeByOwner(analyseProfile(handMade), '/srv/app')).toEqual([
      { owner: 'b.js', selfUs: 1000 },
      { owner: 'a.js', selfUs: 200 },
    ]);
  });
});

/** Random call trees over a few function names, so recursion and shared callees are common. */
const profiles = fc
  .record({
    parents: fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
    names: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 30, maxLength: 30 }),
    samples: fc.array(fc.record({ node: fc.nat(), delta: fc.integer({ min: 0, max: 1000 }) }), { minLength: 1, maxLength: 50 }),
  })
  .map(({ parents, names, samples }) => {
    // Node 0 is the root; node i+1 hangs under an earlier node.
    const nodes: Profiler.ProfileNode[] = [{ id: 0, callFrame: frame('(root)'), children: [] }];
    parents.forEach((parent, i) => {
      nodes.push({ id: i + 1, callFrame: frame(names[i]!, `file:///${names[i]}.js`, 0), children: [] });
      nodes[parent % (i + 1)]!.children!.push(i + 1);
    });
    const profile: Profiler.Profile = {
      nodes,
      startTime: 0,
      samples: samples.map((s) => s.node % nodes.length),
      timeDeltas: samples.map((s) => s.delta),
      endTime: samples.reduce((sum, s) => sum + s.delta, 0) + 10,
    };
    return profile;
  });

/** The stack of a node as function names, root first. */
function stackOf(profile: Profiler.Profile, nodeId: number): string[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const names: string[] = [];
  for (let id: number | undefined = nodeId; id !== undefined; id = parent.get(id)) names.unshift(profile.nodes[id]!.callFrame.functionName);
  return names;
}

describe('analyseProfile on random call trees', () => {
  it('gives each function the time of the samples whose stack holds it, once each', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        const summary = analyseProfile(profile);
        const times = profile.timeDeltas!.map((_, i) => profile.timeDeltas!.slice(0, i + 1).reduce((a, b) => a + b, 0));
        const expected = new Map<string, number>();
        profile.samples!.forEach((node, i) => {
          const us = (i + 1 < times.length ? times[i + 1]! : profile.endTime) - times[i]!;
          for (const name of new Set(stackOf(profile, node))) expected.set(name, (expected.get(name) ?? 0) + us);
        });
        for (const f of summary.frames) {
          expect(f.inclusiveUs).toBe(expected.get(f.functionName) ?? 0);
          expect(f.selfUs).toBeLessThanOrEqual(f.inclusiveUs);
          expect(f.inclusiveUs).toBeLessThanOrEqual(summary.totalUs);
        }
        expect(summary.frames.reduce((sum, f) => sum + f.selfUs, 0)).toBe(summary.totalUs);
      }),
    );
  });
});
