import { type Command, InvalidArgumentError, Option } from 'commander';
import { CREDENTIAL_NAME_PATTERN, DOMAIN_ID_PATTERN, maskUrlPasswordsInText, PROJECT_ID_PATTERN } from '@openkms/core';
import { parseOptions, type Environment } from '../config';

/** What the credential commands share: their option parsers, usage errors, and output. */

export const OUTPUT_FORMATS = ['text', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function checked(pattern: RegExp, what: string) {
  return (value: string): string => {
    if (!pattern.test(value)) throw new InvalidArgumentError(`expected ${what}`);
    return value;
  };
}

export const credentialName = checked(
  CREDENTIAL_NAME_PATTERN,
  "1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
);
export const domainId = checked(DOMAIN_ID_PATTERN, '32 lower-case hex characters');
const projectId = checked(PROJECT_ID_PATTERN, `a project ID (${PROJECT_ID_PATTERN.source})`);

/** --project, given once per project. */
function collectProject(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), projectId(value)];
}

/** Adds --name, --project (repeatable), --domain-id and --output: what `create` of both credential kinds takes. */
export function addGrantOptions(command: Command, kind: string): Command {
  return command
    .addOption(
      new Option('--name <name>', `a name for the ${kind}, shown in logs and the audit trail`)
        .argParser(credentialName)
        .makeOptionMandatory(),
    )
    .addOption(new Option('--project <id>', 'a project it may use (repeat for several)').argParser(collectProject).makeOptionMandatory())
    .addOption(
      new Option(
        '--domain-id <id>',
        'its domain (account); default: the domain of existing credentials for these projects, else the only domain in use, else a new one',
      ).argParser(domainId),
    )
    .addOption(outputOption());
}

export function outputOption(): Option {
  return new Option('--output <format>', 'text (aligned lines) or json').choices(OUTPUT_FORMATS).default('text');
}

/**
 * Parses a credential subcommand; bad usage is one line on stderr pointing to --help. Returns the
 * options, or the exit code to return (0 after --help, 2 on bad usage).
 */
export function parseCredentialCommand<T extends object>(command: Command, argv: readonly string[], env: Environment): T | number {
  const name = command.name();
  command.configureOutput({
    outputError: (text, write) => write(`${maskUrlPasswordsInText(text.trim().split('\n')[0]!)} (see ${name} --help)\n`),
  });
  try {
    return parseOptions<T>(command, argv, env, 'user');
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
}

/** Runs a subcommand group (`access-key`, `token`): the first argument names the subcommand. */
export async function runSubcommand(
  group: string,
  subcommands: Readonly<Record<string, { readonly summary: string; run(argv: readonly string[]): Promise<number> }>>,
  argv: readonly string[],
): Promise<number> {
  const [sub, ...rest] = argv;
  const names = Object.keys(subcommands);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    const lines = names.map((key) => `  ${key.padEnd(8)} ${subcommands[key]!.summary}`);
    process.stdout.write(`Usage: ${group} <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nSee ${group} <command> --help.\n`);
    return 0;
  }
  const chosen = sub === undefined ? undefined : subcommands[sub];
  if (!chosen) {
    const said = sub === undefined ? 'a command is missing' : `unknown command ${JSON.stringify(sub)}`;
    process.stderr.write(`error: ${said}; expected ${names.join(', ')} (see ${group} --help)\n`);
    return 2;
  }
  return chosen.run(rest);
}

/** A failure of a credential command: one line on stderr (URL passwords masked), exit 1. */
export function commandFailed(command: string, error: unknown): number {
  process.stderr.write(`${command} failed: ${maskUrlPasswordsInText((error as Error).message)}\n`);
  return 1;
}

/** Lines of `label: value`, aligned, for people; parseable by splitting at the first ': '. */
export function alignedLines(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}\n`).join('');
}

/** Rows as a table with a header, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    `${cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd()}\n`;
  return [header, ...rows].map(line).join('');
}
