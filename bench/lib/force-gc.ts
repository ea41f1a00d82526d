import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection, so that one scenario's garbage does not count in the next one's RSS.
 * Works without `--expose-gc` on the command line (the flag is set at run time, and a fresh context
 * picks up the `gc` global it exposes).
 */
export function forceGc(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
