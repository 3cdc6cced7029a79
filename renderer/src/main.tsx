// First: configures zod before any schema of the contract is built or used.
import './zod-config';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installBridge } from './bridge/install-bridge';
import { bindConnection } from './state/connection-store';
import { App } from './shell/app';
import './styles/theme.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/content.css';
import './styles/controls.css';
import './styles/overlays.css';
import './styles/libraries.css';

// The transport must be in place before anything renders or calls.
const preloaded = Boolean(window.genos);
bindConnection(installBridge(), preloaded ? 'electron' : 'websocket');

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
