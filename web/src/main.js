// main.js - the workspace's entry point: styles, then the app into #app.
import './app.css';
import { render } from 'preact';
import { html } from './html.js';
import { App } from './app.js';

render(html`<${App} />`, document.getElementById('app'));
