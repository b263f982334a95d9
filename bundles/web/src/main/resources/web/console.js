// The LabHub console page (docs/web.md). Plain JavaScript, no build step: the channel table is live from
// /api/events (server-sent events), the rest polls the JSON endpoints. Every name and value from the hub is
// put into the page as text (textContent), never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
let channels = [];
let selected = null;

// --- the token: kept for this tab only; sent as Authorization on actions and as a same-site cookie on reads
// (EventSource and <img> cannot send headers)
const tokenInput = $('token');
tokenInput.value = sessionStorage.getItem('labhub_token') || '';
function applyToken() {
  const t = tokenInput.value.trim();
  sessionStorage.setItem('labhub_token', t);
  document.cookie = 'labhub_token=' + encodeURIComponent(t) + '; path=/; SameSite=Strict' + (t ? '' : '; max-age=0');
}
tokenInput.addEventListener('change', () => { applyToken(); connect(); });
applyToken();

function authHeaders() {
  const t = tokenInput.value.trim();
  return t ? { 'Authorization': 'Bearer ' + t } : {};
}

async function getJson(url) {
  const r = await fetch(url, { headers: authHeaders(), cache: 'no-store' });
  const body = await r.json();
  if (!r.ok) throw new Error((body.error && body.error.code) + ': ' + (body.error && body.error.message));
  return body;
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '—' : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
}

function fillSelect(select, names, preferred) {
  const keep = select.value;
  const want = names.includes(keep) ? keep : (names.includes(preferred) ? preferred : names[0]);
  if (select.options.length !== names.length || [...select.options].some((o, i) => o.value !== names[i])) {
    select.replaceChildren(...names.map((n) => { const o = document.createElement('option'); o.value = n; o.textContent = n; return o; }));
  }
  if (want !== undefined) select.value = want;
}

// --- the channel table, live
function showChannels(list) {
  channels = list.channels;
  const hub = list.hub;
  $('hub').textContent = hub.brokerConnected ? 'broker connected' : (hub.brokerEndpoint ? 'broker unreachable' : 'no broker (local)');
  $('hub').className = 'pill ' + (hub.brokerConnected || !hub.brokerEndpoint ? 'ok' : 'bad');
  const tbody = $('channels').tBodies[0];
  tbody.replaceChildren();
  for (const c of channels) {
    const tr = document.createElement('tr');
    tr.dataset.name = c.name;
    if (c.name === selected) tr.className = 'selected';
    cell(tr, c.name);
    cell(tr, c.kind);
    cell(tr, c.state, 'state-' + c.state);
    cell(tr, c.producer ? c.producer.slice(0, 8) + '…' : null);
    cell(tr, c.consumers);
    cell(tr, c.rate === null ? (c.counters ? '…' : 'remote') : c.rate.toFixed(1));
    tr.addEventListener('click', () => { selected = c.name; showDetails(); showChannels(list); });
    tbody.appendChild(tr);
  }
  showDetails();
  fillSelect($('request-channel'), channels.filter((c) => c.kind === 'reqrep' && !c.name.startsWith('hub.status.')).map((c) => c.name), 'stage.x');
  fillSelect($('plot-channel'), channels.filter((c) => c.kind === 'pubsub').map((c) => c.name), 'lab.thermometer');
  fillSelect($('preview-channel'), channels.filter((c) => c.kind === 'shm').map((c) => c.name), 'camera1.frames');
}

function showDetails() {
  const c = channels.find((x) => x.name === selected);
  $('details').className = c ? '' : 'hidden';
  if (!c) return;
  $('details-name').textContent = c.name + ' (' + c.kind + ', ' + c.state + ')';
  $('details-counters').textContent = JSON.stringify(c.counters, null, 2);
  $('details-metadata').textContent = JSON.stringify(c.metadata, null, 2);
  $('details-schema').textContent = c.schema ? JSON.stringify(c.schema, null, 2) : '(no schema)';
}

let events = null;
function connect() {
  if (events) events.close();
  events = new EventSource('/api/events');
  events.addEventListener('channels', (e) => {
    $('stream').textContent = 'events: live';
    $('stream').className = 'pill ok';
    notice(null);
    showChannels(JSON.parse(e.data));
  });
  events.onerror = () => {
    $('stream').textContent = 'events: reconnecting';
    $('stream').className = 'pill bad';
    // an EventSource cannot say why it failed: the channel list says it (a refusal: no token, a wrong one)
    getJson('/api/channels').then(showChannels).catch((e) => notice(e.message));
  };
}

// A browser opens at most six HTTP/1.1 connections to one host, and each page's event stream holds one: a tab in
// the background lets go of its stream and takes it again when shown, so that more than six tabs of one console
// (or several consoles' tabs behind one proxy) never wait for each other.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) { connect(); return; }
  if (events) { events.close(); events = null; }
  $('stream').textContent = 'events: paused (tab hidden)';
  $('stream').className = 'pill';
});

// --- a refusal or an unreachable console, shown above everything until the next good answer
function notice(text) {
  const n = $('notice');
  n.textContent = text ? text + (text.startsWith('AUTH_FAILED') ? ' (type the token into the field above)' : '') : '';
  n.className = text ? 'error' : 'hidden';
}
connect();

// --- components
async function status() {
  try {
    const s = await getJson('/api/status');
    $('status-summary').textContent = s.summary.ONLINE + ' online, ' + s.summary.OFFLINE + ' offline, ' + s.summary.FAILED + ' failed';
    const tbody = $('status').tBodies[0];
    tbody.replaceChildren();
    for (const r of s.components) {
      const tr = document.createElement('tr');
      cell(tr, r.bundle); cell(tr, r.component); cell(tr, r.status, 'state-' + r.status); cell(tr, r.detail);
      tbody.appendChild(tr);
    }
    showBroker(s.broker);
    showRecorder(s.recorder);
  } catch (e) {
    $('status-summary').textContent = String(e.message);
  }
}
status();
setInterval(status, 5000);

// --- the broker's clients, where the broker runs in this runtime (elsewhere: on that runtime's console)
function showBroker(b) {
  $('broker-summary').textContent = b ? b.registrations + ' channels registered at ' + b.endpoint + ', ' + b.liveClients
    + ' live clients, ' + b.requests + ' requests answered, ' + b.refused + ' refused'
    : 'no broker runs in this runtime (the hub\'s broker, if any, runs elsewhere: its console lists its clients)';
  const tbody = $('broker-clients').tBodies[0];
  tbody.replaceChildren();
  for (const c of (b ? b.clients : [])) {
    const tr = document.createElement('tr');
    tr.dataset.key = c.key;
    cell(tr, c.key.slice(0, 12) + '…'); cell(tr, c.channels); cell(tr, c.lastHeartbeat);
    cell(tr, c.alive ? 'live' : 'lost', c.alive ? 'state-active' : 'state-lost');
    tbody.appendChild(tr);
  }
}

// --- the recorder's run, where the recorder runs in this runtime (hub:record start|stop|status; docs/recording.md)
function showRecorder(r) {
  const summary = $('recorder-summary');
  summary.textContent = !r ? 'no recorder runs in this runtime'
    : r.recording ? '● recording to ' + r.file
    : (r.file ? 'not recording; the last run went to ' + r.file + (r.fileError ? ' (file not written: ' + r.fileError + ')' : '')
      : 'not recording (hub:record start CHANNEL... --to FILE)');
  summary.className = r && r.recording ? 'recording' : (r && r.fileError ? 'error' : 'muted');
  const tbody = $('recorder-channels').tBodies[0];
  tbody.replaceChildren();
  for (const c of (r ? r.channels : [])) {
    const tr = document.createElement('tr');
    tr.dataset.channel = c.name;
    cell(tr, c.name); cell(tr, c.frames); cell(tr, c.lost); cell(tr, c.error, c.error ? 'state-lost' : undefined);
    tbody.appendChild(tr);
  }
}

// --- request/reply: the browser sends Origin itself; the token, when there is one, goes as Authorization
$('request').addEventListener('submit', async (e) => {
  e.preventDefault();
  const channel = $('request-channel').value;
  const out = $('request-reply');
  if (!channel) { out.textContent = 'no reqrep channel'; return; }
  out.className = '';
  out.textContent = '…';
  try {
    const r = await fetch('/api/request/' + encodeURIComponent(channel), {
      method: 'POST', headers: Object.assign({ 'Content-Type': 'text/plain' }, authHeaders()), body: $('request-body').value });
    const body = await r.json();
    if (r.ok) {
      out.textContent = body.reply;
    } else {
      out.className = 'error';
      out.textContent = r.status + ' ' + body.error.code + ': ' + body.error.message;
    }
  } catch (err) {
    out.className = 'error';
    out.textContent = String(err);
  }
});

// --- the plot: the last minutes of one numeric field of a pubsub channel
async function plot() {
  const channel = $('plot-channel').value;
  if (!channel) return;
  try {
    const s = await getJson('/api/series/' + encodeURIComponent(channel));
    const names = Object.keys(s.fields);
    fillSelect($('plot-field'), names, 'celsius');
    const points = s.fields[$('plot-field').value] || [];
    draw($('plot'), points);
    const lastPoint = points[points.length - 1];
    $('plot-info').textContent = points.length + ' points over the last ' + s.spanSeconds / 60 + ' min'
      + (lastPoint ? '; last ' + lastPoint[1].toFixed(3) : '');
  } catch (e) {
    $('plot-info').textContent = String(e.message);
  }
}

function draw(canvas, points) {
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  if (points.length < 2) return;
  let lo = Infinity, hi = -Infinity;
  for (const p of points) { lo = Math.min(lo, p[1]); hi = Math.max(hi, p[1]); }
  if (hi === lo) { hi += 0.5; lo -= 0.5; }
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  const x = (t) => 40 + (w - 50) * (t - t0) / Math.max(1, t1 - t0);
  const y = (v) => h - 15 - (h - 30) * (v - lo) / (hi - lo);
  g.fillStyle = '#666';
  g.font = '11px sans-serif';
  g.fillText(hi.toFixed(2), 2, 14);
  g.fillText(lo.toFixed(2), 2, h - 15);
  g.strokeStyle = '#1565c0';
  g.beginPath();
  points.forEach((p, i) => (i ? g.lineTo(x(p[0]), y(p[1])) : g.moveTo(x(p[0]), y(p[1]))));
  g.stroke();
}
setInterval(plot, 2000);
$('plot-channel').addEventListener('change', plot);
$('plot-field').addEventListener('change', plot);

// --- the camera preview: fetched rather than set as an <img src>, so that the page reads the frame's commit time
// (header X-LabHub-Timestamp-Ns) and shows how old the frame on screen is. The next image is asked for 200 ms after
// the last one is shown (about 4 a second; the server reads a frame at most 10 times a second per channel, whoever
// asks).
const preview = $('preview');
let previewTimer = null;
let previewUrl = null;
// The frames shown in the last minute: [shown at (epoch ms), age (ms, the frame's commit to its paint), sequence].
// The info line gives the median age; benchmarks/ (group preview) reads it from here.
const previewShown = [];
window.labhubPreviewShown = previewShown;
function nowMs() { return performance.timeOrigin + performance.now(); }
async function nextPreview() {
  clearTimeout(previewTimer);
  const channel = $('preview-channel').value;
  if (!channel) { previewTimer = setTimeout(nextPreview, 1000); return; }
  try {
    const r = await fetch('/api/preview/' + encodeURIComponent(channel) + '.png?max=512', { headers: authHeaders(), cache: 'no-store' });
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      throw new Error(r.status + ' ' + (body.error ? body.error.code + ': ' + body.error.message : r.statusText));
    }
    const stamp = r.headers.get('X-LabHub-Timestamp-Ns');
    const committedMs = stamp ? Number(BigInt(stamp) / 1000n) / 1000 : NaN;
    const sequence = r.headers.get('X-LabHub-Sequence');
    const url = URL.createObjectURL(await r.blob());
    preview.src = url;
    await preview.decode();
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = url;
    preview.classList.remove('hidden');
    await new Promise((resolve) => requestAnimationFrame(resolve)); // the frame is painted after this callback
    const shown = nowMs();
    previewShown.push([shown, shown - committedMs, Number(sequence)]);
    while (previewShown.length && previewShown[0][0] < shown - 60000) previewShown.shift();
    histogram();
    const ages = previewShown.map((e) => e[1]).filter((a) => !Number.isNaN(a)).sort((a, b) => a - b);
    $('preview-info').textContent = preview.naturalWidth + '×' + preview.naturalHeight + ' (auto-contrast), frame '
      + sequence + (ages.length ? ', ' + Math.round(shown - committedMs) + ' ms old (median of the last minute '
      + Math.round(ages[ages.length >> 1]) + ' ms)' : '');
    previewTimer = setTimeout(nextPreview, 200);
  } catch (e) {
    preview.classList.add('hidden');
    $('preview-info').textContent = 'no preview of ' + channel + ': ' + e.message;
    previewTimer = setTimeout(nextPreview, 2000);
  }
}
$('preview-channel').addEventListener('change', nextPreview);
setTimeout(nextPreview, 500);

function histogram() {
  const c = document.createElement('canvas');
  c.width = preview.naturalWidth; c.height = preview.naturalHeight;
  const g = c.getContext('2d');
  g.drawImage(preview, 0, 0);
  const data = g.getImageData(0, 0, c.width, c.height).data;
  const bins = new Array(256).fill(0);
  for (let i = 0; i < data.length; i += 4) bins[data[i]]++;
  const max = Math.max(...bins, 1);
  const hc = $('histogram');
  const hg = hc.getContext('2d');
  hg.clearRect(0, 0, hc.width, hc.height);
  hg.fillStyle = '#455a64';
  bins.forEach((n, i) => { const bh = hc.height * n / max; hg.fillRect(i, hc.height - bh, 1, bh); });
}
