/** `npm run agentry -- <command> [options]`: the agentry CLI on Node 22 (see cli/src/main.ts). */
import "../cli/src/main.ts";
