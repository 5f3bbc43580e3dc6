/**
 * A session: one configuration turned into one adapter and one `Connection`, which live and
 * die together. The controller makes a new session whenever the configuration changes, so no
 * adapter outlives the connection it translated for, and nothing reads a stopped one.
 */
import { Connection, type ConnectionListener } from '../connection/connection.js';
import { TokenSource } from '../connection/token-source.js';
import { createAdapter, isProtocol } from '../protocols/index.js';
import type { Capabilities, ConnectContext, ProtocolAdapter } from '../protocols/types.js';
import type { Strings } from '../i18n/en.js';
import { format } from '../i18n/format.js';
import type { ProtocolName, TokenProvider } from '../types.js';

export interface SessionConfig {
  protocol: string;
  server: string;
  apiBase?: string;
  token?: string;
  tokenUrl?: string;
  getToken?: TokenProvider;
  userId?: string;
  userName?: string;
  conversationId?: string;
  agentId?: string;
}

/** What a session carries over from storage: the conversation and the anonymous visitor. */
export interface Remembered {
  conversationId: string | undefined;
  visitorId: string | undefined;
}

/** Why a configuration cannot connect, in the visitor's language; undefined when it can. */
export function configProblem(config: SessionConfig, strings: Strings): string | undefined {
  if (!isProtocol(config.protocol)) {
    return format(strings, 'errorProtocol', { protocol: config.protocol });
  }
  if (!config.server) return strings.errorNoServer;
  try {
    const url = new URL(config.server);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error('scheme');
  } catch {
    return format(strings, 'errorBadServer', { server: config.server });
  }
  return undefined;
}

/**
 * What the page did not name but the backend needs: a thread id for `threads`, a visitor id
 * for `events` and `rooms` (one anonymous person per tab; the token response may still name
 * them). Returns what to remember.
 */
export function fillIdentity(config: SessionConfig, remembered: Remembered): Remembered {
  let { conversationId, visitorId } = remembered;
  if (!config.conversationId && !conversationId && config.protocol === 'threads') {
    conversationId = crypto.randomUUID();
  }
  if (!config.userId && (config.protocol === 'events' || config.protocol === 'rooms')) {
    visitorId ??= `visitor-${crypto.randomUUID()}`;
  }
  return { conversationId, visitorId };
}

export class Session {
  readonly adapter: ProtocolAdapter;
  readonly connection: Connection;

  constructor(config: SessionConfig, remembered: Remembered, listener: ConnectionListener) {
    this.adapter = createAdapter(config.protocol as ProtocolName);
    const conversationId = config.conversationId ?? remembered.conversationId;
    const context: Omit<ConnectContext, 'token'> = {
      server: config.server,
      apiBase: config.apiBase ?? defaultApiBase(config.server),
      ...(config.userId ? { userId: config.userId } : {}),
      ...(config.userName ? { userName: config.userName } : {}),
      ...(conversationId ? { conversationId } : {}),
      ...(config.agentId ? { agentId: config.agentId } : {}),
    };
    this.connection = new Connection({
      adapter: this.adapter,
      context,
      ...(remembered.visitorId && !config.userId
        ? { fallback: { userId: remembered.visitorId } }
        : {}),
      tokens: new TokenSource({
        ...(config.token ? { token: config.token } : {}),
        ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
        ...(config.getToken ? { getToken: config.getToken } : {}),
      }),
      listener,
      debug: (message, data) => {
        // Debug level: silent unless the console shows verbose messages.
        console.debug(`[chat-widget] ${message}`, data);
      },
    });
  }

  get capabilities(): Capabilities {
    return this.adapter.capabilities();
  }

  get context(): ConnectContext {
    return this.connection.context;
  }

  /** Send a frame the adapter built from the current context; false when it could not go. */
  sendFrame(build: (adapter: ProtocolAdapter, ctx: ConnectContext) => string | null): boolean {
    const frame = build(this.adapter, this.connection.context);
    return frame !== null && this.connection.send(frame);
  }

  start(): void {
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }
}

/** `api-base` defaults to the server's origin over HTTP(S). */
export function defaultApiBase(server: string): string {
  try {
    const url = new URL(server);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    return url.origin;
  } catch {
    return '';
  }
}
