import { DEFAULT_DELAY_MS } from './bots/demo-bot.js';
import { DEFAULT_MODEL } from './bots/openai-bot.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  MAX_MAX_FRAME_BYTES,
  MIN_MAX_FRAME_BYTES,
} from './platform/limits/frames.js';
import { DEFAULT_LEASE_MS } from './stream/service.js';
import { STREAM_LIMITS } from './stream/store.js';
import { DEFAULT_LIMITS as CONVERSATION_LIMITS } from './conversations/store.js';
import { DEFAULT_PRESENCE_TTL_MS } from './rooms/hub.js';
import { PROTOCOLS, isProtocol } from './protocols.js';
import { parseAllowedOrigins } from './platform/security/origins.js';
import { parseTrustProxy } from './platform/http/client-address.js';
import { API_ADDRESS_LIMIT } from './platform/http/api.js';
import { SIGN_IN_ACCOUNT_LIMIT, SIGN_IN_LIMIT } from './support/agents/api.js';
import { NEW_VISITOR_LIMIT, TOKEN_LIMIT } from './platform/auth/token-endpoint.js';
import {
  DEFAULT_SOCKETS_PER_ADDRESS,
  DEFAULT_SOCKETS_PER_VISITOR,
} from './platform/limits/sockets.js';
import { DEFAULT_SIGN_IN_CONCURRENCY } from './support/agents/auth.js';

export const DEFAULT_PORT = 8787;

/**
 * Turns the environment and command line into `createApp` options, with warnings instead of
 * crashes for values that have an obvious safe fallback.
 *
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} [args] command-line arguments after the script; only `--protocol NAME`
 *   (or `--protocol=NAME`), which wins over `CHAT_PROTOCOL`
 * @returns {{ options: import('./app.js').AppOptions, warnings: string[] }}
 */
export function readConfig(env, args = []) {
  /** @type {string[]} */
  const warnings = [];

  const port = parseInteger(env.PORT, DEFAULT_PORT, 0, 65535, 'PORT', warnings);
  const demoBotDelayMs = parseInteger(
    env.DEMO_BOT_DELAY_MS,
    DEFAULT_DELAY_MS,
    0,
    10_000,
    'DEMO_BOT_DELAY_MS',
    warnings,
  );

  const secret = env.CHAT_TOKEN_SECRET || undefined;
  if (!secret) {
    warnings.push(
      'CHAT_TOKEN_SECRET is not set: using a random key, tokens end with this process.',
    );
  } else if (Buffer.byteLength(secret) < 32) {
    warnings.push('CHAT_TOKEN_SECRET is shorter than 32 bytes, too weak for HS256 outside a demo.');
  }

  const visitorSecret = env.CHAT_VISITOR_SECRET || undefined;
  if (visitorSecret && Buffer.byteLength(visitorSecret) < 32) {
    warnings.push('CHAT_VISITOR_SECRET is shorter than 32 bytes, too weak outside a demo.');
  }

  const protocol = readProtocol(env, args, warnings);
  const maxFrameBytes = parseInteger(
    env.CHAT_MAX_FRAME_BYTES,
    DEFAULT_MAX_FRAME_BYTES,
    MIN_MAX_FRAME_BYTES,
    MAX_MAX_FRAME_BYTES,
    'CHAT_MAX_FRAME_BYTES',
    warnings,
  );
  const allowedOrigins = readAllowedOrigins(env, warnings);

  const redisUrl = readRedisUrl(env, warnings);
  const replyLeaseMs = parseInteger(
    env.CHAT_REPLY_LEASE_MS,
    DEFAULT_LEASE_MS,
    1000,
    60_000,
    'CHAT_REPLY_LEASE_MS',
    warnings,
  );

  const roomsPresenceTtlMs = env.ROOMS_PRESENCE_TTL_MS
    ? parseInteger(
        env.ROOMS_PRESENCE_TTL_MS,
        DEFAULT_PRESENCE_TTL_MS,
        300,
        600_000,
        'ROOMS_PRESENCE_TTL_MS',
        warnings,
      )
    : undefined;

  const { trust: trustProxy, invalid: badProxies } = parseTrustProxy(env.TRUST_PROXY);
  for (const entry of badProxies) {
    warnings.push(
      `TRUST_PROXY: ignoring ${entry}, which is neither a hop count (0-10) nor an IP address.`,
    );
  }
  const apiAddressLimit = parseInteger(
    env.CHAT_API_ADDRESS_LIMIT,
    API_ADDRESS_LIMIT,
    1,
    1_000_000,
    'CHAT_API_ADDRESS_LIMIT',
    warnings,
  );
  const tokenLimit = parseInteger(
    env.CHAT_TOKEN_LIMIT,
    TOKEN_LIMIT.limit,
    1,
    1_000_000,
    'CHAT_TOKEN_LIMIT',
    warnings,
  );
  const newVisitorLimit = parseInteger(
    env.CHAT_NEW_VISITOR_LIMIT,
    NEW_VISITOR_LIMIT.limit,
    1,
    1_000_000,
    'CHAT_NEW_VISITOR_LIMIT',
    warnings,
  );
  const maxSocketsPerVisitor = parseInteger(
    env.CHAT_MAX_SOCKETS_PER_VISITOR,
    DEFAULT_SOCKETS_PER_VISITOR,
    1,
    1_000_000,
    'CHAT_MAX_SOCKETS_PER_VISITOR',
    warnings,
  );
  const maxSocketsPerAddress = parseInteger(
    env.CHAT_MAX_SOCKETS_PER_ADDRESS,
    DEFAULT_SOCKETS_PER_ADDRESS,
    1,
    1_000_000,
    'CHAT_MAX_SOCKETS_PER_ADDRESS',
    warnings,
  );
  const maxConversationBytes = parseInteger(
    env.CHAT_MAX_CONVERSATION_BYTES,
    CONVERSATION_LIMITS.maxBytesPerConversation,
    4096,
    64 * 1024 * 1024,
    'CHAT_MAX_CONVERSATION_BYTES',
    warnings,
  );
  const activeProtectMs = parseInteger(
    env.CHAT_ACTIVE_PROTECT_MS,
    STREAM_LIMITS.activeProtectMs,
    0,
    24 * 60 * 60_000,
    'CHAT_ACTIVE_PROTECT_MS',
    warnings,
  );
  const signInLimit = parseInteger(
    env.AGENT_SIGNIN_LIMIT,
    SIGN_IN_LIMIT.limit,
    1,
    10_000,
    'AGENT_SIGNIN_LIMIT',
    warnings,
  );
  const signInAccountLimit = parseInteger(
    env.AGENT_SIGNIN_ACCOUNT_LIMIT,
    SIGN_IN_ACCOUNT_LIMIT.limit,
    1,
    10_000,
    'AGENT_SIGNIN_ACCOUNT_LIMIT',
    warnings,
  );
  const signInConcurrency = parseInteger(
    env.AGENT_SIGNIN_CONCURRENCY,
    DEFAULT_SIGN_IN_CONCURRENCY,
    1,
    64,
    'AGENT_SIGNIN_CONCURRENCY',
    warnings,
  );

  /** @type {import('./app.js').AppOptions} */
  const options = {
    ...(trustProxy ? { trustProxy } : {}),
    storeLimits: {
      conversations: { maxBytesPerConversation: maxConversationBytes, activeProtectMs },
      stream: { activeProtectMs },
    },
    apiAddressLimit,
    tokenLimit,
    newVisitorLimit,
    maxSocketsPerVisitor,
    maxSocketsPerAddress,
    signInLimit,
    signInAccountLimit,
    signInConcurrency,
    port,
    host: env.HOST || undefined,
    secret,
    ...(visitorSecret ? { visitorSecret } : {}),
    demoBotDelayMs,
    protocol,
    maxFrameBytes,
    allowedOrigins,
    replyLeaseMs,
    ...(roomsPresenceTtlMs ? { roomsPresenceTtlMs } : {}),
    ...(redisUrl ? { redisUrl, redisPrefix: env.REDIS_PREFIX || undefined } : {}),
  };
  if (redisUrl && !secret) {
    warnings.push(
      'REDIS_URL is set without CHAT_TOKEN_SECRET: each process has its own key, so a token ' +
        'from one is refused by the others. Give every process the same secret.',
    );
  }

  if (env.OPENAI_BASE_URL) {
    if (!env.OPENAI_API_KEY) {
      warnings.push(
        'OPENAI_API_KEY is not set: sending a placeholder, fine for most local servers.',
      );
    }
    options.openai = {
      baseURL: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY || undefined,
      model: env.OPENAI_MODEL || DEFAULT_MODEL,
    };
  }

  return { options, warnings };
}

/**
 * `redis://` or `rediss://` (TLS), with a password if Redis wants one. Anything else is ignored
 * with a warning, and the server runs on its memory store: refusing to start would be the other
 * choice, but a typo would then take the demo down.
 *
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} warnings
 * @returns {string | undefined}
 */
function readRedisUrl(env, warnings) {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return undefined;
  let url;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname) return raw;
  warnings.push('REDIS_URL is not a redis:// or rediss:// URL; keeping everything in memory.');
  return undefined;
}

/**
 * @param {string | undefined} raw
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 * @param {string} name
 * @param {string[]} warnings
 */
function parseInteger(raw, fallback, min, max, name, warnings) {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  warnings.push(`${name}=${raw} is not an integer in ${min}-${max}; using ${fallback}.`);
  return fallback;
}

/**
 * Unset or empty allows every origin (app.js warns when that is so beyond loopback). Once set it
 * fails closed: entries that are not origins are dropped with a warning, and if none is left no
 * browser origin is allowed, since a typo must not quietly open the server to every site.
 *
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} warnings
 * @returns {string[] | undefined}
 */
function readAllowedOrigins(env, warnings) {
  const raw = env.CHAT_ALLOWED_ORIGINS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const { origins, invalid } = parseAllowedOrigins(raw);
  for (const entry of invalid) {
    warnings.push(
      `CHAT_ALLOWED_ORIGINS: ignoring ${entry}, which is not an origin (scheme://host[:port]).`,
    );
  }
  if (origins.length === 0) {
    warnings.push('CHAT_ALLOWED_ORIGINS has no valid origin: every browser origin is refused.');
  }
  return origins;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} args
 * @param {string[]} warnings
 * @returns {import('./protocols.js').ProtocolName}
 */
function readProtocol(env, args, warnings) {
  let source = 'CHAT_PROTOCOL';
  let raw = env.CHAT_PROTOCOL || undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === '--protocol') {
      source = '--protocol';
      raw = args[++i] ?? '';
    } else if (arg.startsWith('--protocol=')) {
      source = '--protocol';
      raw = arg.slice('--protocol='.length);
    } else {
      warnings.push(`ignoring the unknown argument ${arg}.`);
    }
  }
  if (raw === undefined) return 'stream';
  if (isProtocol(raw)) return raw;
  warnings.push(`${source}=${raw} is not one of ${PROTOCOLS.join(', ')}; using stream.`);
  return 'stream';
}
