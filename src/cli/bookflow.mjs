#!/usr/bin/env node
// `npx bookflow …`: the command line (cli-main.ts), run through tsx like `npm start`.
import { register } from 'tsx/esm/api';

register();
const { buildProgram } = await import('./cli-main.ts');
await buildProgram().parseAsync(process.argv);
