/**
 * `GET /demo-config.js`: a tiny ES module the demo page imports before its widgets connect, so
 * the protocol chosen on the command line (`--protocol`) is the page's first choice without a
 * round trip the widgets would have to wait for.
 */
import { ENDPOINTS } from './protocols.js';
import { sendStatus } from './platform/http/respond.js';

/**
 * @param {{ protocol: import('./protocols.js').ProtocolName }} options
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void}
 */
export function createDemoConfigHandler({ protocol }) {
  const body = `export default ${JSON.stringify({ protocol, endpoints: ENDPOINTS })};\n`;
  return function serveDemoConfig(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(res, 405, { Allow: 'GET, HEAD' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
