// A stack update stand-in for bench/fleet.ts: burns CPU for argv[2] ms of CPU time (the
// program and the engine working), then sleeps argv[3] ms (waiting on the cluster).
const cpuMs = Number(process.argv[2]);
const waitMs = Number(process.argv[3]);
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const start = cpuNow();
let x = 0;
while (cpuNow() - start < cpuMs) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
setTimeout(() => process.exit(x > 0 ? 0 : 1), waitMs);
