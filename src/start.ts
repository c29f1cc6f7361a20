import { main } from './main.js';

// API and all workers in one process: the one-machine setup.
await main('all');
