import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KMS_ERRORS, KmsError, StoreUnavailableError, isKmsErrorCode, type KmsErrorCode } from './errors';

const CODES = Object.keys(KMS_ERRORS) as KmsErrorCode[];
const ERRORS_DOC = resolve(__dirname, '../../../docs/errors.md');

/**
 * The status a code's family implies; the catalogue must agree with it. The 03xx family is
 * authentication (403) except KMS.0308 (invalid parameter) and KMS.0310 (pending import),
 * which spec/kms.yaml lists under 400 Bad Request.
 */
function expectedStatus(code: string): number {
  const digits = code.slice('KMS.'.length);
  if (digits.startsWith('03') && digits !== '0308' && digits !== '0310') return 403;
  switch (digits) {
    case '0101':
      return 500;
    case '0104':
      return 503;
    case '0201':
    case '0207':
      return 404;
    case '0203':
      return 413;
    case '0215':
      return 405;
    case '0429':
      return 429;
    default:
      return 400;
  }
}

describe('KMS_ERRORS', () => {
  it('has codes spelled KMS. and four digits', () => {
    expect(CODES.length).toBeGreaterThan(0);
    for (const code of CODES) expect(code).toMatch(/^KMS\.[0-9]{4}$/);
  });

  it.each(CODES)('%s has the HTTP status of its code family', (code) => {
    expect(KMS_ERRORS[code].httpStatus).toBe(expectedStatus(code));
  });

  it.each(CODES)('%s: fault is server exactly for 5xx, message is non-empty fixed text', (code) => {
    const definition = KMS_ERRORS[code];
    expect(definition.fault).toBe(definition.httpStatus >= 500 ? 'server' : 'client');
    expect(definition.message).toMatch(/^\S.*\.$/);
  });

  it('marks as retryable only internal errors, unavailability and throttling', () => {
    const retryable = CODES.filter((code) => KMS_ERRORS[code].retryable).sort();
    expect(retryable).toEqual(['KMS.0101', 'KMS.0104', 'KMS.0429']);
  });

  it('isKmsErrorCode accepts exactly the catalogue codes, not inherited names', () => {
    for (const code of CODES) expect(isKmsErrorCode(code)).toBe(true);
    for (const other of ['KMS.9999', 'kms.0101', 'KMS.101', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(isKmsErrorCode(other)).toBe(false);
    }
  });
});

describe('KmsError', () => {
  it.each(CODES)('%s carries its code, status and default message', (code) => {
    const error = new KmsError(code);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(KmsError);
    expect(error.name).toBe('KmsError');
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(KMS_ERRORS[code].httpStatus);
    expect(error.message).toBe(KMS_ERRORS[code].message);
  });

  it('takes a message and a status override (KMS.0308 as 415)', () => {
    const error = new KmsError('KMS.0308', 'Content-Type must be application/json.', 415);
    expect(error.code).toBe('KMS.0308');
    expect(error.httpStatus).toBe(415);
    expect(error.message).toBe('Content-Type must be application/json.');
    // The catalogue itself is untouched by an override.
    expect(KMS_ERRORS['KMS.0308'].httpStatus).toBe(400);
  });

  it('keeps the catalogue status when only the message is overridden', () => {
    const error = new KmsError('KMS.0207', 'custom');
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe('custom');
  });
});

describe('StoreUnavailableError', () => {
  it('is 503 KMS.0104 with the catalogue message; the reason is kept apart for the log', () => {
    const error = new StoreUnavailableError('57P01 terminating connection due to administrator command');
    expect(error).toBeInstanceOf(KmsError);
    expect(error.name).toBe('StoreUnavailableError');
    expect(error.code).toBe('KMS.0104');
    expect(error.httpStatus).toBe(503);
    expect(error.message).toBe(KMS_ERRORS['KMS.0104'].message);
    expect(error.reason).toBe('57P01 terminating connection due to administrator command');
  });
});

interface DocRow {
  readonly code: string;
  readonly status: string;
  readonly line: string;
}

/** The rows of the table whose header starts `| code | HTTP status |`. */
function parseErrorTable(markdown: string): DocRow[] {
  const lines = markdown.split(/\r?\n/);
  const header = lines.findIndex((line) => /^\|\s*code\s*\|\s*HTTP status\s*\|/i.test(line));
  if (header < 0) throw new Error('docs/errors.md has no table with a "| code | HTTP status |" header');
  const rows: DocRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const code = (cells[0] ?? '').replace(/`/g, '');
    rows.push({ code, status: cells[1] ?? '', line });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const rows = parseErrorTable(readFileSync(ERRORS_DOC, 'utf8'));

  it('has a four-column row per code, each a catalogue code, none twice', () => {
    for (const row of rows) {
      expect({ line: row.line, code: row.code }).toEqual({ line: row.line, code: expect.stringMatching(/^KMS\.[0-9]{4}$/) });
      expect(row.line.split('|').length - 2).toBe(4);
    }
    const codes = rows.map((row) => row.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('lists every code of KMS_ERRORS', () => {
    const documented = new Set(rows.map((row) => row.code));
    expect(CODES.filter((code) => !documented.has(code))).toEqual([]);
  });

  it('lists no code that KMS_ERRORS lacks', () => {
    expect(rows.map((row) => row.code).filter((code) => !isKmsErrorCode(code))).toEqual([]);
  });

  it('gives each code its catalogue HTTP status (first number in the status cell)', () => {
    for (const row of rows) {
      if (!isKmsErrorCode(row.code)) continue;
      const status = /\b([1-5][0-9]{2})\b/.exec(row.status)?.[1];
      expect({ code: row.code, status: Number(status) }).toEqual({ code: row.code, status: KMS_ERRORS[row.code].httpStatus });
    }
  });
});
