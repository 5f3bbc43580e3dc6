// Points every chat on the gallery at this server, like the main demo page.
const server = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
for (const el of document.querySelectorAll('chat-widget')) {
  el.setAttribute('server', server);
  el.setAttribute('token-url', '/api/chat-token');
  // Separate storage per look, so the three chats do not share a transcript.
  el.id = [...el.classList].find((c) => c.startsWith('theme-')) ?? '';
}
