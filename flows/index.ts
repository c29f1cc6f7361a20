export * from './book-flow.js';
export * from './job-ids.js';
export * from './job-node.js';
export * from './queues.js';
export * from './ranges.js';
export * from './schemas.js';
