// Every store slice's contract (stores/) on the in-memory store, the zero-config default.
import { createMemoryStoreSet } from '../../server/store/index.js';
import { storeSuites } from './stores/index.js';

storeSuites('memory', async (_t, options = {}) => createMemoryStoreSet(options));
