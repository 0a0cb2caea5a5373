/** `npm run worker -- [serve|--help] [options]`: the worker node on Node 22 (see worker/src/main.ts). */
import "../worker/src/main.ts";
