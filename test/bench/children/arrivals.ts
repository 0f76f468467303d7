/**
 * A bare HTTP server that reads each request's arrival time (the system's monotonic clock, which
 * every process shares) as its event loop reads it, as the sandbox counts a second; `GET /dump`
 * answers those times by the request's `x-send` number and how late its own timers ran.
 * Prints its port on the first line of stdout.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const read: Array<[number, number]> = [];
const server = createServer((req, res) => {
  const at = Number(process.hrtime.bigint()) / 1e6;
  if (req.url === '/dump') {
    res.end(JSON.stringify({ read, lateP99Ms: delay.percentile(99) / 1e6, lateMaxMs: delay.max / 1e6 }));
    return;
  }
  read.push([Number(req.headers['x-send']), at]);
  req.resume();
  req.on('end', () => res.end('{}'));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address ? address.port : 0);
});
