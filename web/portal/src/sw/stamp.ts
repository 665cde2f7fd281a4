/** The service worker's script as /sw.js serves it: `BUILD` (the build's id) defined in front of src/sw/worker.js. */
export function stampWorker(source: string, build: string): string {
  return `const BUILD = ${JSON.stringify(build)};\n${source}`;
}
