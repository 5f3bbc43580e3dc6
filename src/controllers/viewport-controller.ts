import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * On a phone the popup covers the screen, and "the screen" is the visual viewport: a host page
 * that overflows sideways widens the layout viewport that `position: fixed` measures against
 * (a 401 px panel in a 390 px screen, Send off its edge), and the on-screen keyboard shrinks the
 * visual one. The panel gets the visual viewport's box as custom properties, which the phone
 * styles use (https://developer.mozilla.org/docs/Web/API/VisualViewport).
 */
export class ViewportController implements ReactiveController {
  #abort: AbortController | undefined;
  #last = '';

  constructor(
    host: ReactiveControllerHost,
    private readonly panel: () => HTMLElement | null | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const viewport = window.visualViewport;
    if (!viewport) return;
    this.#abort = new AbortController();
    const { signal } = this.#abort;
    viewport.addEventListener('resize', () => this.#apply(), { signal });
    viewport.addEventListener('scroll', () => this.#apply(), { signal });
  }

  hostUpdated(): void {
    this.#apply();
  }

  hostDisconnected(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#last = '';
  }

  #apply(): void {
    const viewport = window.visualViewport;
    const panel = this.panel();
    if (!viewport || !panel) return;
    const box = [viewport.offsetLeft, viewport.offsetTop, viewport.width, viewport.height];
    const key = box.join(' ');
    if (key === this.#last) return;
    this.#last = key;
    const [left, top, width, height] = box;
    panel.style.setProperty('--_vv-left', `${left}px`);
    panel.style.setProperty('--_vv-top', `${top}px`);
    panel.style.setProperty('--_vv-width', `${width}px`);
    panel.style.setProperty('--_vv-height', `${height}px`);
  }
}
