/**
 * `npm start` from the repository root, as the README's first command runs it.
 *
 * Not part of the server's own jest run: nx runs with its daemon off, so a cache hit restores the
 * build outputs (core's dist, the generated server code, the server's dist) by deleting and
 * copying them. Every other suite runs the built server, so this one runs alone, after them all
 * (the root project's test target, see project.json).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';

const SERVER_ROOT = resolve(__dirname, '../..');
const REPOSITORY_ROOT = resolve(SERVER_ROOT, '../..');

/** `npm start --silent -- …`: nx's build output goes to stderr, so stdout is the server's alone. */
const npmStart = (args: readonly string[]) =>
  promisify(execFile)('npm', ['start', '--silent', '--', ...args], { cwd: REPOSITORY_ROOT, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Error & { code?: unknown; stdout: string; stderr: string }) => {
      if (typeof error.code !== 'number') throw error;
      return { code: error.code, stdout: error.stdout, stderr: error.stderr };
    },
  );

it("passes its arguments to the server (-- --help is the server's help, -- --version its version) and rebuilds nothing built", async () => {
  const help = await npmStart(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage: openkms-server \[options\]/);
  expect(help.stdout).toContain('--data-dir');
  // What is built is not built again: the generator (Java) and tsc ran in the nx build before this test; here nx's cache answers.
  // (Colours stripped: under an outer nx, as in `npm test`, the nested nx prints them.)
  const buildLog = stripVTControlCharacters(help.stderr);
  expect(buildLog).toMatch(/nx run server:generate +\[(local cache|existing outputs match the cache, left as is)\]/);
  expect(buildLog).toMatch(/nx run server:build +\[(local cache|existing outputs match the cache, left as is)\]/);
  const { version } = JSON.parse(readFileSync(join(SERVER_ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(await npmStart(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
}, 300_000);
