// The flags the server's Node process runs with: `npm start` (package.json) and the `skillbridge`
// command (bin/skillbridge.mjs) spell them out, the benchmarks start the server with them, and a
// test checks that the three agree.
//
// --max-semi-space-size=8: V8's young generation grows to its 16 MiB default semi-spaces (32 MiB
// in all, committed and never given back) during start-up's burst of allocation — module loading,
// schemas, seeding. 8 MiB keeps the server's resident memory after start-up about 15 MiB lower;
// in bench/api-me.ts the CPU time per /api/me request was the same with either size.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=8'];
