/**
 * A `mailto:` link for an address a visitor typed. The server checks addresses strictly, but
 * the console does not rely on it: each side of the `@` is percent-encoded, so `?`, `&` or `#`
 * in one can never add `bcc=`, `body=` or anything else to the link.
 */
export function mailtoHref(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return `mailto:${encodeURIComponent(email)}`;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return `mailto:${encodeURIComponent(local)}@${encodeURIComponent(domain)}`;
}
