import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Context } from 'hono';
import { getMimeType } from 'hono/utils/mime';
import { notFound } from '../../shared/http/errors.ts';

const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'];

function page(openapiUrl: string): string {
  // `validatorUrl: null`: by default Swagger UI sends the document to validator.swagger.io.
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Dokal API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: ${
    JSON.stringify(openapiUrl)
  }, dom_id: '#swagger-ui', validatorUrl: null });
  </script>
</body>
</html>
`;
}

/**
 * Swagger UI served from the installed `swagger-ui-dist`, never from a CDN: the page works
 * without internet access and shows the version the lockfile names. The assets are read once,
 * at start, so a missing package stops the gateway instead of leaving a blank page.
 */
export async function swaggerUi(openapiUrl: string) {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets = new Map(
    await Promise.all(
      ASSETS.map(async (name) => [name, await readFile(join(dist, name))] as const),
    ),
  );
  const html = page(openapiUrl);
  return {
    page: (c: Context) => c.html(html),
    asset: (c: Context) => {
      const name = c.req.param('asset') ?? '';
      const body = assets.get(name);
      if (!body) throw notFound('This file does not exist.');
      return new Response(body, {
        headers: {
          'content-type': getMimeType(name) ?? 'application/octet-stream',
          'cache-control': 'no-cache',
        },
      });
    },
  };
}
