/**
 * Telling an agent a visitor is waiting while they look elsewhere: a count in the tab's title
 * always, and a system notification when the page is in the background and the agent allowed
 * them (asked for on a button press only; browsers ignore or punish asking unprompted).
 */

export function canAskForNotifications(): boolean {
  return 'Notification' in window && Notification.permission === 'default';
}

export async function askForNotifications(): Promise<NotificationPermission> {
  if (!('Notification' in window)) return 'denied';
  return Notification.requestPermission();
}

/** Shows a notification if allowed and the page is not in front; clicking it focuses the page. */
export function notify(title: string, body: string, tag: string, onClick: () => void): void {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const notification = new Notification(title, { body, tag });
    notification.addEventListener('click', () => {
      window.focus();
      onClick();
      notification.close();
    });
  } catch {
    // Some mobile browsers only allow notifications from a service worker; the title still counts.
  }
}
