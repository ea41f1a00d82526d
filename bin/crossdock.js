#!/usr/bin/env node
// The `crossdock` command. An installed package runs the compiled `dist/` (Node does not strip types
// under node_modules); a checkout without a build runs the TypeScript sources directly (Node 24).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/src/cli/main.js", import.meta.url);
const { main } = await import(existsSync(compiled) ? compiled.href : new URL("../src/cli/main.ts", import.meta.url).href);
await main();
