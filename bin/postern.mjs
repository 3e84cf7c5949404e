#!/usr/bin/env node
// The `postern` command: a thin shell that loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
