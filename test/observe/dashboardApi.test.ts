/**
 * The dashboard's customer endpoint answers a path it cannot decode with 400 (the client's
 * mistake), not 500: `GET /api/items/%` threw in decodeURIComponent.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleCharts } from '../../src/observe/charts.js';
import { startDashboardServer, type DashboardServer } from '../../src/observe/dashboardServer.js';
import { createJobWatch } from '../../src/observe/jobWatch.js';

let dashboard: DashboardServer;
beforeAll(async () => {
  dashboard = await startDashboardServer({
    job: 'api', kind: 'onboard', watch: createJobWatch('onboarding'), charts: await lifecycleCharts(), running: () => true, halt: () => null,
  });
});
afterAll(async () => {
  await dashboard?.close();
});

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // The raw path, unnormalised: fetch or URL would re-encode the bad escape before it is sent.
    const req = request({ host: '127.0.0.1', port: dashboard.port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('GET /api/items/ID', () => {
  it('answers 400 for an id that is not valid percent-encoding', async () => {
    for (const path of ['/api/items/%', '/api/items/%E0%A4%A', '/api/items/a%zz']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      expect(JSON.parse(answer.body), path).toEqual({ error: 'the customer id in the path is not valid percent-encoding' });
    }
  });

  it('still answers 404 for a well-formed id the job does not have', async () => {
    expect((await get('/api/items/cust%2D1')).status).toBe(404);
  });
});
