import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const ROOT = '/work/main';
const TOKEN = 'bench-admin-token-0123456789';
function start(args: string[], env: Record<string,string>, marker: RegExp): Promise<{url: string, kill: (s?: NodeJS.Signals)=>Promise<void>, pid: number}> {
  return new Promise((resolve, reject) => {
    const exec = env.PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/dprof'] : [];
    const child = spawn(process.execPath, [...exec, join(ROOT, 'dist/cli/index.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const on = (c: Buffer) => { out += c.toString(); const m = marker.exec(out); if (m) resolve({ url: m[1]!, pid: child.pid!, kill: (s='SIGTERM') => new Promise(r => { child.on('exit', () => r()); child.kill(s); }) }); };
    child.stdout.on('data', on); child.stderr.on('data', on);
    child.on('exit', (c) => reject(new Error('exit ' + c + out)));
  });
}
const N = Number(process.argv[2] ?? 100000), PERSONS = Number(process.argv[3] ?? 4000), BATCH = process.argv[4] ?? '1000';
const sim = await start(['simulate', 'customerio', '--port', '0', '--workspace', 'bs:bk:us', '--rate', '100'], {}, /(http:\/\/127\.0\.0\.1:\d+)/);
console.log('sim', sim.url);
const dir = mkdtempSync(join(tmpdir(), 'dexp-'));
const env = { AMPSTREAM_ADMIN_TOKEN: TOKEN, AMPSTREAM_CUSTOMERIO_URL: sim.url, AMPSTREAM_LOG_LEVEL: 'warn', AMPSTREAM_BATCH_MAX_ITEMS: BATCH };
let srv = await start(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--delivery', 'off'], env, /listening on (http:\/\/\S+)/);
const admin = (m: string, p: string, b?: unknown) => fetch(srv.url + p, { method: m, headers: { authorization: 'Bearer ' + TOKEN, 'content-type': 'application/json' }, ...(b ? { body: JSON.stringify(b) } : {}) }).then(r => r.json());
const proj = await admin('POST', '/api/projects', { name: 'b', api_key: 'bench-deliv-key-01' }) as any;
const sync = await admin('POST', '/api/syncs', { name: 'b', project_id: proj.id, customerio: { site_id: 'bs', api_key: 'bk', region: 'us' }, send_users: { enabled: false } }) as any;
let t = Date.now();
for (let i = 0; i < N; i += 1000) {
  const events = Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ user_id: `user-${(i + k) % PERSONS}`, event_type: 'Page Viewed', insert_id: `e-${i + k}`, event_properties: { path: '/p/' + k, n: i + k, ok: true } }));
  const r = await fetch(srv.url + '/batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: 'bench-deliv-key-01', events }) });
  if (r.status !== 200) throw new Error(await r.text());
}
console.log('ingested', N, 'in', Date.now() - t, 'ms');
await srv.kill();
srv = await start(['serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir], { ...env, ...(process.env.PROF ? { PROFILE: '1' } : {}) }, /listening on (http:\/\/\S+)/);
t = Date.now();
for (;;) {
  const v = await admin('GET', `/api/syncs/${sync.id}`) as any;
  if (v.deliveries.pending === 0) { console.log('delivered', v.deliveries, 'in', Date.now() - t, 'ms =', Math.round(N / ((Date.now() - t) / 1000)), 'items/s'); break; }
  await new Promise(r => setTimeout(r, 200));
}
const counters = await fetch(sim.url + '/_sim/counters').then(r => r.json());
console.log(JSON.stringify(counters).slice(0, 400));
await srv.kill(); await sim.kill();
