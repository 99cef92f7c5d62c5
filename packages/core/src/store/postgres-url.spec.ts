import { isPostgresUrl, maskPostgresUrl, maskUrlPasswordsInText } from './postgres-url';

describe('PostgreSQL URLs', () => {
  it('recognises postgres:// and postgresql:// only', () => {
    expect(isPostgresUrl('postgres://u:p@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://h/db')).toBe(true);
    expect(isPostgresUrl('POSTGRES://h/db')).toBe(true);
    for (const other of ['sqlite', 'memory', 'mysql://h/db', 'postgres:/h/db', ' postgres://h/db', 'http://h']) {
      expect(isPostgresUrl(other)).toBe(false);
    }
  });

  it('masks the password and keeps everything else', () => {
    expect(maskPostgresUrl('postgres://openkms:s3cr%40t@db.example:5433/keys?sslmode=require')).toBe(
      'postgres://openkms:***@db.example:5433/keys?sslmode=require',
    );
    expect(maskPostgresUrl('postgresql://h/db?user=u&password=hunter2')).toBe('postgresql://h/db?user=u&password=***');
  });

  it('leaves a URL without a password as it is', () => {
    expect(maskPostgresUrl('postgres://openkms@db.example/keys')).toBe('postgres://openkms@db.example/keys');
  });

  it('shows nothing of a URL it cannot parse', () => {
    expect(maskPostgresUrl('postgres://u:hunter2@[bad')).toBe('<unparseable PostgreSQL URL>');
  });

  it('masks passwords of URLs inside free text', () => {
    expect(maskUrlPasswordsInText("argument 'postgress://u:hunter2@h:5432/db' is invalid")).toBe(
      "argument 'postgress://u:***@h:5432/db' is invalid",
    );
    expect(maskUrlPasswordsInText('no url here: a:b@c')).toBe('no url here: a:b@c');
  });
});
