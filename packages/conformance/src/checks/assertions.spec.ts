import type { HttpResponse } from '../http/kms-http';
import { answerMatches, answerOf } from './assertions';
import { isNoSuchRoute } from './context';

const response = (status: number, body: unknown): HttpResponse => ({
  status,
  contentType: 'application/json',
  headers: new Headers(),
  text: JSON.stringify(body),
  json: body,
});
const kms = (status: number, code: string) => response(status, { error: { error_code: code, error_msg: 'x' } });

describe('accepted answers', () => {
  it('reads STATUS CODE from an answer, with - when there is no KMS error body', () => {
    expect(answerOf(kms(400, 'KMS.1101'))).toBe('400 KMS.1101');
    expect(answerOf(response(404, 'Not Found'))).toBe('404 -');
  });

  it('matches exact answers and KMS.* for any KMS code of that status only', () => {
    expect(answerMatches('400 KMS.0308', ['400 KMS.1101', '400 KMS.0308'])).toBe(true);
    expect(answerMatches('400 KMS.0204', ['400 KMS.1101', '400 KMS.0308'])).toBe(false);
    expect(answerMatches('404 KMS.1101', ['400 KMS.1101'])).toBe(false);
    expect(answerMatches('415 KMS.0202', ['415 KMS.*'])).toBe(true);
    expect(answerMatches('400 KMS.0202', ['415 KMS.*'])).toBe(false);
    expect(answerMatches('415 -', ['415 KMS.*'])).toBe(false);
  });
});

describe('"no such route" (an optional operation the server does not have)', () => {
  it('is 405, 404 or 400 KMS.0201, or a 404 without a KMS error body', () => {
    expect(isNoSuchRoute(response(405, {}))).toBe(true);
    expect(isNoSuchRoute(kms(404, 'KMS.0201'))).toBe(true);
    expect(isNoSuchRoute(kms(400, 'KMS.0201'))).toBe(true);
    expect(isNoSuchRoute(response(404, 'Not Found'))).toBe(true);
  });

  it('is not a KMS answer of an operation that exists (a missing key, a bad request)', () => {
    expect(isNoSuchRoute(kms(404, 'KMS.0207'))).toBe(false);
    expect(isNoSuchRoute(kms(400, 'KMS.0308'))).toBe(false);
    expect(isNoSuchRoute(response(200, {}))).toBe(false);
  });
});
