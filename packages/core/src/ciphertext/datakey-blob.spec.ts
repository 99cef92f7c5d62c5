import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { KEY_ID_PATTERN } from '../keys/key-id';
import { DATAKEY_BLOB_OVERHEAD_BYTES, DATAKEY_BLOB_VERSION, KEY_ID_BYTES, decodeDatakeyBlob, encodeDatakeyBlob } from './datakey-blob';

const KEY_ID = '71da51ed-46f1-4e1e-99fc-6e5ff47ba02b';
const keyIdArb = fc.stringMatching(KEY_ID_PATTERN);
// nonce(12) + at least one sealed byte + tag(16)
const MIN_PAYLOAD = 29;
const payloadArb = fc.uint8Array({ minLength: MIN_PAYLOAD, maxLength: 300 }).map((array) => Buffer.from(array));

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
/** Replaces the trailing checksum so that only the rule under test can fail. */
const rechecksum = (blob: Buffer): Buffer => {
  const body = blob.subarray(0, blob.length - 32);
  return Buffer.concat([body, sha256(body)]);
};
const flipBit = (data: Buffer, bit: number): Buffer => {
  const copy = Buffer.from(data);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
};

describe('encodeDatakeyBlob', () => {
  const payload = randomBytes(12 + 64 + 16);
  const blob = encodeDatakeyBlob({ keyId: KEY_ID, payload });

  it('lays out version, offset, payload, key ID, reserved bytes and checksum', () => {
    const n = payload.length;
    expect(blob.length).toBe(4 + n + 36 + 4 + 32);
    expect(blob.subarray(0, 2).toString('hex')).toBe('0200');
    expect(DATAKEY_BLOB_VERSION.toString('hex')).toBe('0200');
    // Little-endian offset of the end of the key ID.
    expect(blob[2]).toBe((4 + n + 36) & 0xff);
    expect(blob[3]).toBe((4 + n + 36) >> 8);
    expect(blob.subarray(4, 4 + n)).toEqual(payload);
    expect(blob.subarray(4 + n, 4 + n + 36).toString('ascii')).toBe(KEY_ID);
    expect(KEY_ID_BYTES).toBe(36);
    // A DEK of n - 28 bytes (payload minus nonce and tag) makes a blob of n + 76 bytes.
    expect(blob.length - (n - 28)).toBe(DATAKEY_BLOB_OVERHEAD_BYTES);
    expect(blob.subarray(40 + n, 44 + n).toString('hex')).toBe('00000000');
    expect(blob.subarray(44 + n)).toEqual(sha256(blob.subarray(0, 44 + n)));
  });

  it('writes the offset for a 512-bit DEK payload as 84 00', () => {
    expect(blob.subarray(0, 4).toString('hex')).toBe('02008400');
  });

  it('rejects key IDs that are not lower-case UUID-shaped', () => {
    for (const keyId of [KEY_ID.toUpperCase(), KEY_ID.slice(1), `${KEY_ID}0`, KEY_ID.replace(/-/g, '_'), '', `alias/${KEY_ID}`]) {
      expect(() => encodeDatakeyBlob({ keyId, payload })).toThrow(/key ID/);
    }
  });

  it('accepts a payload up to the u16 offset limit and rejects one byte more', () => {
    const largest = encodeDatakeyBlob({ keyId: KEY_ID, payload: Buffer.alloc(0xffff - 40) });
    expect(largest.readUInt16LE(2)).toBe(0xffff);
    expect(decodeDatakeyBlob(largest)?.payload.length).toBe(0xffff - 40);
    expect(() => encodeDatakeyBlob({ keyId: KEY_ID, payload: Buffer.alloc(0xffff - 39) })).toThrow(/too large/);
  });
});

describe('decodeDatakeyBlob', () => {
  it('refuses to write, and rejects on read, a payload too short for nonce, one sealed byte and tag', () => {
    expect(() => encodeDatakeyBlob({ keyId: KEY_ID, payload: Buffer.alloc(MIN_PAYLOAD - 1) })).toThrow(/at least/);
    const body = Buffer.concat([
      Buffer.from([0x02, 0x00, 4 + MIN_PAYLOAD - 1 + 36, 0x00]),
      Buffer.alloc(MIN_PAYLOAD - 1),
      Buffer.from(KEY_ID, 'ascii'),
      Buffer.alloc(4),
    ]);
    expect(decodeDatakeyBlob(Buffer.concat([body, sha256(body)]))).toBeUndefined();
    expect(decodeDatakeyBlob(encodeDatakeyBlob({ keyId: KEY_ID, payload: Buffer.alloc(MIN_PAYLOAD) }))).toBeDefined();
  });

  it('round-trips any payload and key ID', () => {
    fc.assert(
      fc.property(keyIdArb, payloadArb, (keyId, payload) => {
        const decoded = decodeDatakeyBlob(encodeDatakeyBlob({ keyId, payload }));
        expect(decoded).toEqual({ keyId, payload });
      }),
      { numRuns: 200 },
    );
  });

  it('returns a payload that does not alias the input blob', () => {
    const blob = encodeDatakeyBlob({ keyId: KEY_ID, payload: Buffer.from('payload'.padEnd(MIN_PAYLOAD, '.')) });
    const decoded = decodeDatakeyBlob(blob)!;
    blob.fill(0);
    expect(decoded.payload.toString()).toBe('payload'.padEnd(MIN_PAYLOAD, '.'));
  });

  const valid = encodeDatakeyBlob({ keyId: KEY_ID, payload: randomBytes(60) });

  it('rejects another version, even with a valid checksum', () => {
    for (const version of ['0100', '0201', '0300', '0002', 'ffff']) {
      const blob = Buffer.from(valid);
      Buffer.from(version, 'hex').copy(blob, 0);
      expect(decodeDatakeyBlob(rechecksum(blob))).toBeUndefined();
    }
  });

  it('rejects every truncation', () => {
    for (let length = 0; length < valid.length; length += 1) {
      expect(decodeDatakeyBlob(valid.subarray(0, length))).toBeUndefined();
    }
  });

  it('rejects extra bytes, whether appended or inserted before a recomputed checksum', () => {
    expect(decodeDatakeyBlob(Buffer.concat([valid, Buffer.alloc(1)]))).toBeUndefined();
    const body = valid.subarray(0, valid.length - 32);
    const extended = Buffer.concat([body, Buffer.alloc(1)]);
    expect(decodeDatakeyBlob(Buffer.concat([extended, sha256(extended)]))).toBeUndefined();
  });

  it('rejects an offset that disagrees with the length, even with a valid checksum', () => {
    for (const delta of [-1, 1, -36]) {
      const blob = Buffer.from(valid);
      blob.writeUInt16LE(blob.readUInt16LE(2) + delta, 2);
      expect(decodeDatakeyBlob(rechecksum(blob))).toBeUndefined();
    }
  });

  it('rejects any single flipped bit', () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length * 8 - 1 }), (bit) => {
        expect(decodeDatakeyBlob(flipBit(valid, bit))).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('rejects non-zero reserved bytes, even with a valid checksum', () => {
    const reservedAt = valid.readUInt16LE(2);
    for (let i = 0; i < 4; i += 1) {
      const blob = Buffer.from(valid);
      blob[reservedAt + i] = 0x01;
      expect(decodeDatakeyBlob(rechecksum(blob))).toBeUndefined();
    }
    // Control: the same surgery with zero left in place still decodes.
    expect(decodeDatakeyBlob(rechecksum(Buffer.from(valid)))).toBeDefined();
  });

  it('rejects key IDs with other characters, even with a valid checksum', () => {
    const keyIdAt = valid.readUInt16LE(2) - 36;
    for (const [position, byte] of [
      [0, 0x41], // 'A': upper case
      [0, 0x5f], // '_'
      [0, 0xe9], // 'é' in latin1
      [0, 0x00],
      [8, 0x30], // '0' where a hyphen belongs
      [35, 0x2d], // '-' where a character belongs
    ] as const) {
      const blob = Buffer.from(valid);
      blob[keyIdAt + position] = byte;
      expect(decodeDatakeyBlob(rechecksum(blob))).toBeUndefined();
    }
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const decoded = decodeDatakeyBlob(Buffer.from(bytes));
        if (decoded) expect(encodeDatakeyBlob(decoded)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('on checksummed near-blobs, either rejects or returns exactly what re-encodes to the input', () => {
    // Random bodies rarely pass the checksum, so give them a valid one and a plausible header.
    const nearBlob = fc
      .tuple(
        fc.constantFrom('0200', '0200', '0100', '0201'),
        fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 0xffff })),
        fc.uint8Array({ minLength: MIN_PAYLOAD - 3, maxLength: 120 }),
        fc.oneof(keyIdArb, fc.string({ unit: 'binary-ascii', minLength: 36, maxLength: 36 })),
        fc.constantFrom('00000000', '00000000', '00000100'),
      )
      .map(([version, offset, payload, keyId, reserved]) => {
        const header = Buffer.alloc(4);
        Buffer.from(version, 'hex').copy(header);
        header.writeUInt16LE(offset ?? 4 + payload.length + 36, 2);
        const body = Buffer.concat([header, payload, Buffer.from(keyId, 'latin1'), Buffer.from(reserved, 'hex')]);
        return Buffer.concat([body, sha256(body)]);
      });
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(nearBlob, (blob) => {
        const decoded = decodeDatakeyBlob(blob);
        if (decoded) {
          accepted += 1;
          expect(encodeDatakeyBlob(decoded)).toEqual(blob);
        } else {
          rejected += 1;
        }
      }),
      { numRuns: 200 },
    );
    // Guards against a generator that only ever exercises one branch.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});
