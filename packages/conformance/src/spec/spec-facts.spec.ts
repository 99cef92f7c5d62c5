import { randomUUID } from 'node:crypto';
import { loadSpec } from './load-spec';
import { SpecFacts } from './spec-facts';

describe('SpecFacts.keyIdPattern', () => {
  const { document } = loadSpec();

  it('is the KeyId schema pattern of the spec: lower-case UUIDs and nothing else', () => {
    const pattern = new SpecFacts(document).keyIdPattern();
    expect(pattern.source).toBe(new RegExp(String(document.components.schemas.KeyId!.pattern)).source);
    expect(pattern.test(randomUUID())).toBe(true);
    expect(pattern.test(randomUUID().toUpperCase().replace(/[0-9]/g, 'A'))).toBe(false);
  });

  it('follows the spec it is given', () => {
    const mutated = structuredClone(document);
    mutated.components.schemas.KeyId!.pattern = '^[g-z]{8}$';
    expect(new SpecFacts(mutated).keyIdPattern().test(randomUUID())).toBe(false);
  });
});
