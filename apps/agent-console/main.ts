/**
 * Entry of the agent console bundle (dist/agent/agent-console.js, built with
 * vite.agent.config.ts and served by the reference server at /agent).
 */
import { AgentConsole } from './agent-console.js';
import { pageStyles } from './styles.js';

if (pageStyles.styleSheet) {
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageStyles.styleSheet];
}
if (!customElements.get('agent-console')) customElements.define('agent-console', AgentConsole);

declare global {
  interface HTMLElementTagNameMap {
    'agent-console': AgentConsole;
  }
}
