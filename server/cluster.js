// Several reference-server processes on one machine, sharing one Redis: `node server/cluster.js`
// with REDIS_URL and CHAT_TOKEN_SECRET set, and CHAT_WORKERS (default: one per CPU). The primary
// owns the port and hands each connection to a worker (node:cluster's round robin), so no
// load balancer is needed on one machine; put one in front of several machines (deploy/).
//
// A worker that dies is replaced; its visitors reconnect to the others and its replies are
// finished by them (interrupted) after the reply lease. SIGTERM or SIGINT to the primary stops
// the workers gracefully, one after another, so the rest keep serving while each drains.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

if (cluster.isPrimary) {
  if (!process.env.REDIS_URL) {
    console.error('server/cluster.js needs REDIS_URL: processes share everything through Redis.');
    process.exit(1);
  }
  if (!process.env.CHAT_TOKEN_SECRET) {
    console.error('server/cluster.js needs CHAT_TOKEN_SECRET, the same key for every process.');
    process.exit(1);
  }
  const wanted = Number(process.env.CHAT_WORKERS) || availableParallelism();
  let stopping = false;
  for (let i = 0; i < wanted; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} died (${signal ?? code}); starting another`);
    cluster.fork();
  });
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker) continue;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.process.kill('SIGTERM');
      await exited;
    }
    process.exit(0);
  };
  /** Stops the workers; a failure to do so still ends this process, with an error code. */
  const onSignal = () => {
    stop().catch((err) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} else {
  // Only the demo agent's sign-in link is printed by each worker; any of them works.
  await import('./main.js');
}
