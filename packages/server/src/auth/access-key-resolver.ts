/**
 * The seam between where access keys are kept and where signatures are checked: the signature
 * verifier asks "which secret, domain and projects belong to this AK?", and the credential store
 * answers. Revocation must reach every instance within seconds, so an implementation may cache an
 * answer only briefly.
 */
export interface AccessKeyCredential {
  /** The access key ID (AK), as sent in `Authorization: SDK-HMAC-SHA256 Access=…`. */
  readonly accessKeyId: string;
  /** A label for logs and audit; never the secret. */
  readonly name: string;
  /** The secret key (SK), unwrapped. Never logged, never part of an error. */
  readonly secretKey: string;
  readonly domainId: string;
  /** The projects this access key may use. */
  readonly projects: readonly string[];
}

export interface AccessKeyResolver {
  /** The live (not revoked) access key with this ID, or undefined when there is none. */
  find(accessKeyId: string): Promise<AccessKeyCredential | undefined>;
}
