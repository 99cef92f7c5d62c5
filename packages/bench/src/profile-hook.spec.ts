import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { transpileModule, ModuleKind } from 'typescript';
import { analyseProfile } from './cpu-profile';
import { profileDuring } from './server-profile';

/** A stand-in for the server: keeps its thread busy in a function the profile can name. */
const busyProcess = `
function spinForTheProfiler(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until);
}
setInterval(() => spinForTheProfiler(5), 10);
process.stdout.write('READY\\n');
`;

describe('the profile hook and profileDuring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-hook-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('profiles a process between two SIGUSR2 and hands back a profile of what it did in between', async () => {
    // The hook as the bench preloads it into the server (from dist/ there; transpiled here).
    const hook = join(dir, 'profile-hook.js');
    const source = readFileSync(join(__dirname, 'profile-hook.ts'), 'utf8');
    writeFileSync(hook, transpileModule(source, { compilerOptions: { module: ModuleKind.CommonJS } }).outputText);
    writeFileSync(join(dir, 'busy.js'), busyProcess);
    const file = join(dir, 'busy.cpuprofile');
    const child = spawn(process.execPath, ['--require', hook, join(dir, 'busy.js')], {
      env: { ...process.env, BENCH_CPU_PROFILE_FILE: file, BENCH_CPU_PROFILE_INTERVAL_US: '100' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((done) => child.once('exit', done));
    try {
      await new Promise<void>((ready) => child.stdout.once('data', () => ready()));

      const { profile } = await profileDuring(child.pid!, file, () => sleep(300));

      const spin = analyseProfile(profile).frames.find((frame) => frame.functionName === 'spinForTheProfiler');
      expect(spin?.url).toMatch(/busy\.js$/);
      expect(spin?.inclusiveUs).toBeGreaterThan(0);
      // The hook caught both signals: the process is still running.
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    // Only a guard against a hang: starting a process on a busy shared machine can take seconds.
  }, 120_000);
});
