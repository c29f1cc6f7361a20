#!/usr/bin/env node
// `npx bookflow …`: the command line (cli-main.ts), compiled or through tsx (see launch.mjs).
import { launch } from '../launch.mjs';

const { buildProgram } = await launch('cli/cli-main');
await buildProgram().parseAsync(process.argv);
