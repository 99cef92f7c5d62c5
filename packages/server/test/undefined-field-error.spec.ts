import { toKmsError, undefinedFieldError } from '../src/http/error-mapper';

/** The validator's "additional property" error becomes KMS.0308 naming the field, safely, whatever the path holds. */
describe('an undefined body field in the error mapper', () => {
  const validatorError = (path: string | undefined) => ({
    status: 400,
    errors: [{ path, message: 'must NOT have additional properties', errorCode: 'additionalProperties.openapi.validation' }],
  });

  it.each([
    ['/body/pin', 'pin'],
    ['/body/pin_type', 'pin_type'],
    ['/body/a/b', 'a/b'],
    ['/body/', ''],
  ])('path %p names %p', (path, name) => {
    const error = toKmsError(validatorError(path), undefined);
    expect(error.code).toBe('KMS.0308');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe(`The request body has a parameter this API does not define: ${name}.`);
  });

  it('without a path (no field to name) is still KMS.0308, never a 500', () => {
    const error = toKmsError(validatorError(undefined), undefined);
    expect([error.code, error.httpStatus]).toEqual(['KMS.0308', 400]);
  });

  it('cuts a long name to 64 characters and shows anything but printable ASCII as ?', () => {
    expect(undefinedFieldError('x'.repeat(65)).message).toBe(
      `The request body has a parameter this API does not define: ${'x'.repeat(64)}….`,
    );
    expect(undefinedFieldError('\u0000\u001b[31m\u{1F600}').message).toBe(
      'The request body has a parameter this API does not define: ??[31m?.',
    );
  });
});
