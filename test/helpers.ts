import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { nothing } from 'lit';
import { fixtures } from '/__fixtures__.js';
import type { ChatWidget } from '../src/chat-widget.js';
import type { PublicMessage } from '../src/types.js';

let counter = 0;

/** A fresh key per test: the fixture keeps what each key's connections received. */
export function uniqueKey(): string {
  counter += 1;
  return `k${Date.now().toString(36)}${counter}`;
}

/** The token the stream fixture (test/fixtures/stream-server.js, VALID_TOKEN) accepts. */
export const STREAM_TOKEN = 'stream-token';

export function streamUrl(key: string, scenario = 'strict'): string {
  return `${fixtures.stream!.ws}?scenario=${scenario}&key=${key}`;
}

export function streamHttp(): string {
  return fixtures.stream!.http;
}

export async function received(key: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${streamHttp()}/__received?key=${key}`);
  return (await response.json()) as Array<Record<string, unknown>>;
}

/** POSTs to one of the stream fixture's test endpoints (`/__send`, `/__drop`, …) for a key. */
export function streamPost(path: string, key: string, body?: BodyInit): Promise<Response> {
  return fetch(`${streamHttp()}${path}?key=${key}`, { method: 'POST', body });
}

/** streamPost, and the fixture must answer ok. */
export async function streamControl(path: string, key: string, body: BodyInit): Promise<void> {
  const response = await streamPost(path, key, body);
  expect(response.ok, path).to.equal(true);
}

/** One text frame, exactly as given, from the stream fixture to the key's sockets. */
export const streamSend = (key: string, frame: string) => streamControl('/__send', key, frame);

/**
 * `<chat-widget id=key mode="inline">` on the stream fixture with STREAM_TOKEN, rendered by
 * `fixture` (which waits for its first update): `query` is appended to the fixture URL for
 * `scenario` (`&name=value…`); `height`, when given, is its inline style height.
 */
export async function streamWidgetFixture(
  key: string,
  {
    scenario = 'strict',
    query = '',
    height,
  }: { scenario?: string; query?: string; height?: string } = {},
): Promise<ChatWidget> {
  return fixture<ChatWidget>(
    html`<chat-widget
      id=${key}
      mode="inline"
      server=${streamUrl(key, scenario) + query}
      token=${STREAM_TOKEN}
      style=${height ? `height: ${height}` : nothing}
    ></chat-widget>`,
  );
}

/**
 * `<chat-widget id=key mode="inline">` on the stream fixture with STREAM_TOKEN, 500px high, built
 * with `createElement` so that every attribute (`attrs` too) is set before it joins the page,
 * inside a wrapping div.
 */
export async function mountStreamWidget(
  key: string,
  scenario = 'strict',
  attrs: Record<string, string> = {},
): Promise<ChatWidget> {
  const el = document.createElement('chat-widget');
  el.id = key;
  el.setAttribute('mode', 'inline');
  el.setAttribute('server', streamUrl(key, scenario));
  el.setAttribute('token', STREAM_TOKEN);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.style.height = '500px';
  await fixture(html`<div>${el}</div>`);
  return el;
}

export type Entry = Record<string, unknown>;

/** A protocol fixture server (test/fixtures/{events,rooms,threads}-server.js). */
export interface FixtureServer {
  ws: string;
  http: string;
  /** `GET /__received`: what it received, filtered on equal fields. */
  received: (filter: Record<string, string>) => Promise<Entry[]>;
  /** `POST /__control`: one action, and the fixture's answer. */
  control: (body: Entry) => Promise<Entry>;
}

export function fixtureServer(name: 'events' | 'rooms' | 'threads'): FixtureServer {
  const { ws, http } = fixtures[name]!;
  return {
    ws,
    http,
    received: async (filter) => {
      const response = await fetch(`${http}/__received?${new URLSearchParams(filter)}`);
      return (await response.json()) as Entry[];
    },
    control: async (body) => {
      const response = await fetch(`${http}/__control`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      return (await response.json()) as Entry;
    },
  };
}

/** What the page heard from a widget: its `chat-status`, `chat-error` and `chat-message` events. */
export interface RecordedEvents {
  statuses: string[];
  errors: Array<{ code: string; message: string; detail?: string }>;
  /** The messages of `chat-message`. */
  done: PublicMessage[];
}

/**
 * Puts a widget built with `createElement` on the page (inside a wrapping div), listening from
 * before it connects, so that its very first `chat-status` is heard.
 */
export async function mountRecordingEvents(el: ChatWidget): Promise<RecordedEvents> {
  const events: RecordedEvents = { statuses: [], errors: [], done: [] };
  el.addEventListener('chat-status', (e) => events.statuses.push(e.detail.status));
  el.addEventListener('chat-error', (e) => events.errors.push(e.detail));
  el.addEventListener('chat-message', (e) => events.done.push(e.detail.message));
  await fixture(html`<div>${el}</div>`);
  return events;
}

export function part(el: ChatWidget, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
}

export function parts(el: ChatWidget, name: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
}

export function messages(el: ChatWidget, role?: string): HTMLElement[] {
  return parts(el, 'message').filter(
    (m) => !role || m.getAttribute('part')!.split(' ').includes(role),
  );
}

export function messageById(el: ChatWidget, id: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(`[part~="message"][data-id="${id}"]`);
}

export async function until(predicate: () => unknown, message = 'condition', timeout = 5000) {
  await waitUntil(predicate, `timed out waiting for ${message}`, { timeout });
}

export async function connected(el: ChatWidget) {
  await until(() => part(el, 'status')?.dataset.status === 'connected', 'connected');
}

/** Type into the composer like a user and press Enter. */
export async function typeAndSend(el: ChatWidget, text: string) {
  const input = part(el, 'input') as HTMLTextAreaElement;
  input.focus();
  input.value = text;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
  input.dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }),
  );
  await el.updateComplete;
}

/** From now on, every uncaught error and unhandled rejection that reaches the page. */
export function recordUncaught(): string[] {
  const uncaught: string[] = [];
  window.addEventListener('error', (e) => uncaught.push(`error: ${e.message}`));
  window.addEventListener('unhandledrejection', (e) =>
    uncaught.push(`unhandledrejection: ${String(e.reason)}`),
  );
  return uncaught;
}

export function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

/** Polls once a frame; resolves with the time it took, or rejects after `timeout`. */
export async function framesUntil(
  predicate: () => boolean,
  what: string,
  timeout = 10_000,
): Promise<number> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await nextFrame();
  }
  return performance.now() - start;
}

/** Longest gap between timer ticks while `work` runs: how long the page could not respond. */
export async function stallDuring<T>(work: () => Promise<T>): Promise<{ value: T; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 4);
  try {
    const value = await work();
    stall = Math.max(stall, performance.now() - last);
    return { value, stall };
  } finally {
    clearInterval(timer);
  }
}
