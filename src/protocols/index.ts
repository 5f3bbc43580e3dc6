/** The protocol adapters by `protocol=` name. */
import type { ProtocolName } from '../types.js';
import { createEventsAdapter } from './events.js';
import { createRoomsAdapter } from './rooms.js';
import { createStreamAdapter } from './stream.js';
import { createThreadsAdapter } from './threads.js';
import type { ProtocolAdapter } from './types.js';

const factories: Record<ProtocolName, () => ProtocolAdapter> = {
  stream: createStreamAdapter,
  events: createEventsAdapter,
  rooms: createRoomsAdapter,
  threads: createThreadsAdapter,
};

export const PROTOCOLS = Object.keys(factories) as ProtocolName[];

export function isProtocol(name: string): name is ProtocolName {
  return Object.hasOwn(factories, name);
}

export function createAdapter(name: ProtocolName): ProtocolAdapter {
  return factories[name]();
}
