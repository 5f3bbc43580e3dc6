// Every store slice's contract, for one implementation of the composed store (server/store/).
import { conversationsSuite } from './conversations.suite.js';
import { platformSuite } from './platform.suite.js';
import { roomsSuite } from './rooms.suite.js';
import { sessionsSuite } from './sessions.suite.js';
import { streamSuite } from './stream.suite.js';
import { supportSuite } from './support.suite.js';

/**
 * @param {string} name
 * @param {import('./platform.suite.js').Make} make
 */
export function storeSuites(name, make) {
  platformSuite(name, make);
  conversationsSuite(name, make);
  streamSuite(name, make);
  supportSuite(name, make);
  sessionsSuite(name, make);
  roomsSuite(name, make);
}
