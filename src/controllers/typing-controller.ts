import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Without a keystroke for this long, the visitor has stopped typing. */
export const TYPING_IDLE_MS = 3000;

/**
 * The visitor's own typing indicator: "typing" goes out once per burst of keystrokes, and
 * "stopped" after a pause, on send, or when the widget leaves the page. The timer is this
 * controller's and dies with the host.
 */
export class TypingController implements ReactiveController {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #active = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly tell: (active: boolean) => void,
  ) {
    host.addController(this);
  }

  /** A keystroke in the composer. */
  keystroke(): void {
    if (!this.#active) {
      this.#active = true;
      this.tell(true);
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** The visitor stopped (sent the message, or paused). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#active) return;
    this.#active = false;
    this.tell(false);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    // Nothing is sent: the conversation is being torn down with the host.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#active = false;
  }
}
