// The contract shared by core, main, preload and renderer: pure types and constants, no Node or DOM.
export * from './api.js';
export * from './errors.js';
export * from './events.js';
export * from './instances.js';
export * from './desktop.js';
export * from './hardware.js';
export * from './settings.js';
export * from './models.js';
export * from './engines.js';
export * from './about.js';
export * from './placement.js';
export * from './deployments.js';
export * from './reports.js';
export * from './kit.js';
export * from './upstreams.js';
export * from './workers.js';
