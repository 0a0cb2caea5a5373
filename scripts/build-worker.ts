/** `npm run build:worker`: builds the worker bundle for the current sources and prints its entry point. */
import { workerBundle } from "./lib/worker-bundle.ts";

console.log(await workerBundle());
