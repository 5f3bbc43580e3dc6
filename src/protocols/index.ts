/** The protocol adapters by `protocol=` name. */
import type { ProtocolName } from '../types.js';
import { EVENTS_CAPABILITIES, createEventsAdapter } from './events.js';
import { ROOMS_CAPABILITIES, createRoomsAdapter } from './rooms.js';
import { STREAM_CAPABILITIES, createStreamAdapter } from './stream.js';
import { THREADS_CAPABILITIES, createThreadsAdapter } from './threads.js';
import type { Capabilities, ProtocolAdapter } from './types.js';

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

/** What a protocol can do before any server has been reached (the element renders from it). */
export const baseCapabilities: Readonly<Record<ProtocolName, Capabilities>> = {
  stream: STREAM_CAPABILITIES,
  events: EVENTS_CAPABILITIES,
  rooms: ROOMS_CAPABILITIES,
  threads: THREADS_CAPABILITIES,
};
