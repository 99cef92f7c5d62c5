import { dirname, join } from 'node:path';
import type { RequestHandler, Router } from 'express';
import { stringify } from 'yaml';
import { KmsError } from '@openkms/core';
import type { ApiDocument } from './api-spec';
import { sendKmsError } from './error-mapper';
import { readOnlyRoutes } from './read-only-routes';

/**
 * The page may load and fetch from this server only: no CDN, no remote validator badge, no
 * frames. Swagger UI sets inline styles and draws icons from data: URLs; it needs no eval.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The files of swagger-ui-dist the page uses, served from node_modules under /docs/assets/. */
const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>OpenKMS API reference</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/openkms-docs.js"></script>
</body>
</html>
`;

/**
 * Renders the spec this server serves; "Try it out" sends to this same server (the spec's own
 * `servers` entry names the default address, which another port or host would not match).
 * A separate file, not an inline script, so the policy can forbid inline scripts.
 */
const PAGE_SCRIPT = `'use strict';
fetch('/openapi.json')
  .then(function (response) { return response.json(); })
  .then(function (spec) {
    spec.servers = [{ url: window.location.origin, description: 'this server' }];
    window.ui = SwaggerUIBundle({
      spec: spec,
      dom_id: '#swagger-ui',
      deepLinking: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
    });
  });
`;

/**
 * `GET /openapi.yaml` and `/openapi.json`: the document the server validates requests against
 * (the one the route table was built from), and `GET /docs`: its reference page (Swagger UI,
 * assets from the swagger-ui-dist package). No token: the spec is public; nothing here is a
 * KMS operation, none is audited.
 */
export function apiReferenceRoutes(document: ApiDocument): Router {
  let yaml: string | undefined;
  let json: string | undefined;
  // The package's folder, found without loading its index (which would load the whole bundle into Node).
  const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
  const asset: RequestHandler = (req, res, next) => {
    const name = String(req.params['file'] ?? '');
    if (name === 'openkms-docs.js') return void res.type('text/javascript; charset=utf-8').send(PAGE_SCRIPT);
    const type = SWAGGER_UI_FILES[name];
    if (!type) return sendKmsError(res, new KmsError('KMS.0201'));
    res.sendFile(join(assets, name), { headers: { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' } }, (error) => {
      if (error) next(error);
    });
  };
  return readOnlyRoutes({
    '/openapi.yaml': (_req, res) => void res.type('application/yaml; charset=utf-8').send((yaml ??= stringify(document))),
    '/openapi.json': (_req, res) => void res.type('application/json; charset=utf-8').send((json ??= JSON.stringify(document, null, 2))),
    '/docs': (_req, res) =>
      void res.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY).type('text/html; charset=utf-8').send(PAGE),
    '/docs/assets/:file': asset,
  });
}
