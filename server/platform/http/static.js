import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sendStatus } from './respond.js';

/** @type {Record<string, string>} */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * @typedef {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse,
 *   relativePath: string) => Promise<void>} StaticHandler
 */

/**
 * Serves files below `root`. `relativePath` is the still percent-encoded part of the URL path
 * after the mount point; decoding happens here so that `%2e%2e%2f` cannot slip past the check.
 *
 * @param {object} options
 * @param {string} options.root
 * @param {Record<string, string>} [options.headers] extra headers for every file
 * @param {Record<string, string>} [options.htmlHeaders] extra headers for HTML documents only
 * @returns {StaticHandler}
 */
export function createStaticHandler({ root, headers = {}, htmlHeaders = {} }) {
  const absoluteRoot = resolve(root);
  /** @type {Promise<string | null> | undefined} */
  let realRoot;

  return async function serveStatic(req, res, relativePath) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(res, 405, { Allow: 'GET, HEAD' });
      return;
    }

    const resolved = resolveInside(absoluteRoot, relativePath);
    if (typeof resolved === 'number') {
      sendStatus(res, resolved);
      return;
    }

    // The root may not exist yet (dist/ before the first build), hence resolved lazily and
    // allowed to be null.
    realRoot ??= realpath(absoluteRoot).catch(() => null);
    const file = await findFile(resolved, await realRoot);
    if (!file) {
      sendStatus(res, 404);
      return;
    }

    const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    const etag = `W/"${file.stats.size.toString(16)}-${Math.floor(file.stats.mtimeMs).toString(16)}"`;
    const common = {
      ...headers,
      ...(type.startsWith('text/html') ? htmlHeaders : {}),
      ETag: etag,
      // Revalidate every time: the widget is rebuilt under the same names while developing.
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    };

    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, common);
      res.end();
      return;
    }

    res.writeHead(200, { ...common, 'Content-Type': type, 'Content-Length': file.stats.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    try {
      await pipeline(createReadStream(file.path), res);
    } catch {
      // The client went away or the file vanished mid-read; the status line is already out.
      res.destroy();
    }
  };
}

/**
 * @param {string} root absolute
 * @param {string} encodedPath
 * @returns {string | number} an absolute path inside root, or an HTTP status to answer with
 */
function resolveInside(root, encodedPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(encodedPath);
  } catch {
    return 400;
  }
  if (decoded.includes('\0')) return 400;

  // Backslashes count as separators too, so a Windows-style `..\` is caught on every platform.
  const segments = decoded.split(/[/\\]+/).filter(Boolean);
  if (segments.some((s) => s === '..')) return 403;
  // Dotfiles (.env, .git, editor droppings) are never part of the site.
  if (segments.some((s) => s.startsWith('.'))) return 404;

  let path = resolve(root, ...segments);
  if (path !== root && !path.startsWith(root + sep)) return 403;
  if (decoded === '' || decoded.endsWith('/')) path = resolve(path, 'index.html');
  return path;
}

/**
 * @param {string} path
 * @param {string | null} realRoot
 * @returns {Promise<{ path: string, stats: import('node:fs').Stats } | null>}
 */
async function findFile(path, realRoot) {
  if (!realRoot) return null;
  try {
    // A symlink inside the root must not lead outside it.
    const real = await realpath(path);
    if (!real.startsWith(realRoot + sep)) return null;
    const stats = await stat(real);
    return stats.isFile() ? { path: real, stats } : null;
  } catch {
    return null;
  }
}
