// The store contract (store-suite.js) on the in-memory store, the zero-config default.
import { createMemoryStoreSet } from '../../server/store/index.js';
import { storeSuite } from './store-suite.js';

storeSuite('memory', async (_t, options = {}) => createMemoryStoreSet(options));
