// Points the loader page's widget at this server's `stream` endpoint before it connects.
import config from '/demo-config.js';

const socketOrigin = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
const widget = /** @type {HTMLElement} */ (document.getElementById('loader-chat'));
widget.setAttribute('server', socketOrigin + config.endpoints.stream.server);
