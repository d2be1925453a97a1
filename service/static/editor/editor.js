/* Boundary Lab: the ICB boundary editor.
 *
 * The page keeps one ICB per LSOA (`cur`) next to the base (`base`) and updates the
 * simple tallies itself on every edit, from LSOA populations, so a district moved in part
 * stays exact. The full evaluation (typology, contiguity, every rule) comes from the
 * scenario API after a short pause in editing. Edits are commands with their inverse, so
 * undo and redo have no limit; they are kept in localStorage and in the link's fragment.
 * No inline script and no eval: the page runs under a strict Content Security Policy.
 */
(function () {
  'use strict';

  var root = document.getElementById('editor');
  var cfg = {
    vintage: root.dataset.vintage,
    scenario: root.dataset.scenario || '',
    api: root.dataset.api,
    tiles: root.dataset.tiles,
    tilesAttribution: root.dataset.tilesAttribution,
    csrf: root.dataset.csrf || '',
  };
  var LSOA_ZOOM = 11;          // LSOAs are fetched by district from this zoom in
  var EVALUATE_PAUSE_MS = 250; // pause in editing before the server evaluates
  var MAX_DISTRICTS = 40;      // the API's limit per LSOA request
  var LEVEL_NAMES = { ltla: 'district', sicbl: 'sub-ICB location', pcn: 'PCN footprint', lsoa: 'LSOA' };
  var COUNCIL_LAYERS = ['ltla', 'utla', 'sa'];
  var COUNCIL_NAMES = { ltla: 'Districts', utla: 'Upper-tier councils', sa: 'Strategic authorities' };

  // Timings (performance.now, ms) for the benchmark: tally is an edit's synchronous work
  // up to the updated panel and map styles; frame adds the next frame.
  var perf = window.editorPerf = { ready: null, tally: [], frame: [], evaluation: [], editToEvaluation: [], payload: {} };

  // ---- state ----------------------------------------------------------------------
  var U, N, pop, base, cur, codes, codeRow;
  var index = {};      // layer -> Int32Array: each LSOA's unit index (-1: none)
  var members = {};    // layer -> {start, rows}: the LSOAs of each unit
  var icbs = [];       // {key, code, name, colour, isNew}
  var icbByKey = new Map();
  var icbPop = [], icbLsoas = [], basePop = [];
  var counts = {};     // council layer -> array of Map(icb -> LSOAs)
  var baseSplit = {};  // council layer -> Int32Array of ICB counts in the base
  var moved = { lsoas: 0, people: 0 };
  var done = [], undone = [];
  var locks = new Set();
  var active = null;
  var lastEvaluation = null, evaluateTimer = null, lastEditAt = 0;
  var storageKey = 'boundary-lab:editor:' + cfg.vintage + ':' + (cfg.scenario || 'base');

  // ---- helpers --------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function fmt(n) { return Math.round(n).toLocaleString('en-GB'); }
  function signed(n) { return (n > 0 ? '+' : n < 0 ? '\u2212' : '') + fmt(Math.abs(n)); }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function say(message, refused) {
    var status = $('status');
    status.textContent = message;
    status.classList.toggle('refused', !!refused);
  }
  function api(path) { return cfg.api + path; }
  // Headers of a JSON write: the session's CSRF token when the page has one (signed-in
  // pages), and a pasted token as a bearer token.
  function writeHeaders(token) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (cfg.csrf) headers['X-CSRF-Token'] = cfg.csrf;
    if (token) headers.Authorization = 'Bearer ' + token;
    return headers;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { throw new Error(b.error ? b.error.message : r.status); });
      return r.json();
    });
  }
  // The comparable core of an ICB name, as geodata.scenarios.resolve.icb_key makes it.
  function icbKey(name) {
    var key = name.toLowerCase().split(/\s+/).filter(Boolean).join(' ').replace(/^nhs /, '');
    [' integrated care board', ' icb'].forEach(function (suffix) {
      if (key.slice(-suffix.length) === suffix) key = key.slice(0, -suffix.length);
    });
    return key;
  }
  function shortName(name) {
    return name.replace(/^NHS /, '').replace(/ Integrated Care Board$/, '').replace(/ ICB$/, '');
  }

  // The same colours as maps.style.icb_colour: ONS codes by serial, other keys by CRC-32.
  var CRC = (function () {
    var table = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
      table.push(c >>> 0);
    }
    return table;
  })();
  function crc32(text) {
    var bytes = new TextEncoder().encode(text), c = 0xFFFFFFFF;
    for (var i = 0; i < bytes.length; i++) c = CRC[(c ^ bytes[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }
  function hlsToRgb(h, l, s) {
    function v(m1, m2, hue) {
      hue = ((hue % 1) + 1) % 1;
      if (hue < 1 / 6) return m1 + (m2 - m1) * hue * 6;
      if (hue < 0.5) return m2;
      if (hue < 2 / 3) return m1 + (m2 - m1) * (2 / 3 - hue) * 6;
      return m1;
    }
    var m2 = l <= 0.5 ? l * (1 + s) : l + s - l * s, m1 = 2 * l - m2;
    return [v(m1, m2, h + 1 / 3), v(m1, m2, h), v(m1, m2, h - 1 / 3)];
  }
  function icbColour(code) {
    var serial = code.indexOf('E54') === 0 ? code.slice(3) : '';
    var number = /^\d+$/.test(serial) ? parseInt(serial, 10) : crc32(code);
    var hue = (number * 0.618033988749895) % 1;
    var rgb = hlsToRgb(hue, number % 2 ? 0.76 : 0.66, 0.55);
    return '#' + rgb.map(function (c) { return ('0' + Math.round(c * 255).toString(16)).slice(-2); }).join('');
  }

  // ---- the block table -------------------------------------------------------------
  function lsoaCodes(l) {
    if (l.codes) return l.codes;
    var out = new Array(l.count), value = 0;
    for (var i = 0; i < l.count; i++) {
      value += l.deltas[i];
      out[i] = l.prefix + String(value).padStart(l.width, '0');
    }
    return out;
  }
  function groupRows(layer) {
    var idx = index[layer], units = U.layers[layer].codes.length;
    var start = new Int32Array(units + 1), rows = new Int32Array(N), fill;
    for (var i = 0; i < N; i++) if (idx[i] >= 0) start[idx[i] + 1]++;
    for (var u = 0; u < units; u++) start[u + 1] += start[u];
    fill = start.slice(0, units);
    for (i = 0; i < N; i++) if (idx[i] >= 0) rows[fill[idx[i]]++] = i;
    return { start: start, rows: rows, codeIndex: new Map(U.layers[layer].codes.map(function (c, j) { return [c, j]; })) };
  }
  function rowsOf(layer, code) {
    if (layer === 'lsoa') { var r = codeRow.get(code); return r === undefined ? [] : [r]; }
    var m = members[layer], u = m.codeIndex.get(code);
    if (u === undefined) return [];
    return m.rows.subarray(m.start[u], m.start[u + 1]);
  }
  function unitName(layer, code) {
    if (layer === 'lsoa') { var f = lsoaFeatures.get(code); return f ? f.feature.properties.name : code; }
    var m = members[layer], u = m.codeIndex.get(code);
    return u === undefined ? code : U.layers[layer].names[u];
  }

  function addIcb(key, code, name, isNew) {
    var icb = { key: key, code: code, name: name, colour: icbColour(isNew ? name : code), isNew: isNew, index: icbs.length };
    icbs.push(icb);
    icbByKey.set(key, icb);
    icbPop.push(0); icbLsoas.push(0); basePop.push(0);
    return icb;
  }

  function setup(units) {
    U = units;
    N = U.lsoas.count;
    pop = Float64Array.from(U.lsoas.population);
    codes = lsoaCodes(U.lsoas);
    codeRow = new Map(codes.map(function (c, i) { return [c, i]; }));
    Object.keys(U.layers).forEach(function (layer) {
      index[layer] = Int32Array.from(U.lsoas[layer]);
      if (layer !== 'icb') members[layer] = groupRows(layer);
    });
    U.layers.icb.codes.forEach(function (code, i) {
      addIcb(code, code, U.layers.icb.names[i], false);
      icbs[i].colour = U.icb_colours[code] || icbs[i].colour;
    });
    base = Int32Array.from(index.icb);
    cur = Int32Array.from(U.start ? U.start.icb : index.icb);
    if (U.start) U.start.new_icbs.forEach(function (name) { addIcb('new:' + name, null, name, true); });
    for (var i = 0; i < N; i++) {
      basePop[base[i]] += pop[i];
      icbPop[cur[i]] += pop[i];
      icbLsoas[cur[i]]++;
      if (cur[i] !== base[i]) { moved.lsoas++; moved.people += pop[i]; }
    }
    COUNCIL_LAYERS.forEach(function (layer) {
      if (!index[layer]) return;
      var units = U.layers[layer].codes.length, maps = [], split = new Int32Array(units), seen = [];
      for (var u = 0; u < units; u++) { maps.push(new Map()); seen.push(new Set()); }
      for (i = 0; i < N; i++) {
        var c = index[layer][i];
        if (c < 0) continue;
        maps[c].set(cur[i], (maps[c].get(cur[i]) || 0) + 1);
        seen[c].add(base[i]);
      }
      for (u = 0; u < units; u++) split[u] = seen[u].size;
      counts[layer] = maps;
      baseSplit[layer] = split;
    });
    active = icbs[0].index;
  }

  // ---- edits ------------------------------------------------------------------------
  // An edit: {op: 'assign', layer, codes, to} | {op: 'new', name} | {op: 'merge', from, to};
  // applying it records what it changed, so undo is exact.
  function moveRow(r, to) {
    var from = cur[r], p = pop[r];
    if (from === to) return;
    icbPop[from] -= p; icbPop[to] += p;
    icbLsoas[from]--; icbLsoas[to]++;
    if (from === base[r]) { moved.lsoas++; moved.people += p; }
    if (to === base[r]) { moved.lsoas--; moved.people -= p; }
    for (var k = 0; k < COUNCIL_LAYERS.length; k++) {
      var layer = COUNCIL_LAYERS[k], idx = index[layer];
      if (!idx || idx[r] < 0) continue;
      var m = counts[layer][idx[r]], left = m.get(from) - 1;
      if (left) m.set(from, left); else m.delete(from);
      m.set(to, (m.get(to) || 0) + 1);
    }
    cur[r] = to;
  }

  function refuse(message) { say(message, true); return null; }

  function apply(edit) {
    if (edit.op === 'new') {
      var name = edit.name.trim();
      if (!name) return refuse('Give the new ICB a name.');
      if (/^E54\d{6}$/i.test(name)) return refuse('A new ICB needs a name, not an ICB code.');
      if (name.length > 200) return refuse('A new ICB name is at most 200 characters.');
      var clash = icbs.find(function (i) { return icbKey(i.name) === icbKey(name) || (i.code || '').toLowerCase() === name.toLowerCase(); });
      if (clash) return refuse('There is already an ICB called ' + clash.name + '.');
      addIcb('new:' + name, null, name, true);
      return { edit: edit, rows: [], from: [] };
    }
    if (edit.op === 'proposal') return applyProposal(edit);
    var to = icbByKey.get(edit.to);
    if (!to) return refuse('Unknown ICB ' + edit.to + '.');
    var rows = [];
    if (edit.op === 'merge') {
      var from = icbByKey.get(edit.from);
      if (!from || from === to) return refuse('Choose two different ICBs to merge.');
      if (locks.has(from.key) || locks.has(to.key)) return refuse('Refused: ' + (locks.has(from.key) ? from : to).name + ' is locked.');
      for (var i = 0; i < N; i++) if (cur[i] === from.index) rows.push(i);
    } else {
      if (locks.has(to.key)) return refuse('Refused: ' + to.name + ' is locked; unlock it to give it units.');
      edit.codes.forEach(function (code) {
        var unitRows = rowsOf(edit.layer, code);
        for (var j = 0; j < unitRows.length; j++) if (cur[unitRows[j]] !== to.index) rows.push(unitRows[j]);
      });
      var lockedHit = rows.map(function (r) { return icbs[cur[r]]; }).find(function (icb) { return locks.has(icb.key); });
      if (lockedHit) return refuse('Refused: ' + lockedHit.name + ' is locked, and this would take units from it.');
    }
    if (!rows.length) return refuse('Nothing to change: ' + (edit.op === 'merge' ? 'that ICB has no units.' : 'already in ' + to.name + '.'));
    var previous = rows.map(function (r) { return cur[r]; });
    rows.forEach(function (r) { moveRow(r, to.index); });
    return { edit: edit, rows: rows, from: previous };
  }

  // A proposal is a whole scenario (the vintage plus its blocks and moves): set every LSOA
  // to the ICB it gives, in one edit.
  function applyProposal(edit) {
    var want = Int32Array.from(base), bad = null;
    function icbOf(value) {
      var icb = icbByKey.get(value) || (value.indexOf(NEW_ICB) === 0 ? icbByKey.get('new:' + value.slice(NEW_ICB.length)) : null);
      if (!icb) bad = bad || value;
      return icb ? icb.index : -1;
    }
    (edit.blocks || []).forEach(function (b) { var r = codeRow.get(b[0]), i = icbOf(b[1]); if (r !== undefined && i >= 0) want[r] = i; });
    (edit.moves || []).forEach(function (m) {
      var i = icbOf(m.to_icb);
      if (!LEVEL_NAMES[m.unit_layer] && !members[m.unit_layer]) { bad = bad || m.unit_layer + ' ' + m.code; return; }
      var unitRows = rowsOf(m.unit_layer, m.code);
      for (var j = 0; j < unitRows.length; j++) if (i >= 0) want[unitRows[j]] = i;
    });
    if (bad) return refuse('The proposal names ' + bad + ', which this page cannot apply.');
    var rows = [];
    for (var r = 0; r < N; r++) if (cur[r] !== want[r]) rows.push(r);
    var lockedHit = rows.map(function (x) { return [icbs[cur[x]], icbs[want[x]]]; }).flat().find(function (icb) { return locks.has(icb.key); });
    if (lockedHit) return refuse('Refused: ' + lockedHit.name + ' is locked, and the proposal changes it.');
    if (!rows.length) return refuse('The proposal is what the map already shows.');
    var previous = rows.map(function (x) { return cur[x]; });
    rows.forEach(function (x) { moveRow(x, want[x]); });
    return { edit: edit, rows: rows, from: previous };
  }

  function revert(step) {
    for (var i = step.rows.length - 1; i >= 0; i--) moveRow(step.rows[i], step.from[i]);
    if (step.edit.op === 'new') {
      var icb = icbByKey.get('new:' + step.edit.name.trim());
      icbByKey.delete(icb.key);
      icbs.pop(); icbPop.pop(); icbLsoas.pop(); basePop.pop();
      if (active === icb.index) active = 0;
    }
  }

  function describe(edit) {
    if (edit.op === 'new') return 'Created ICB ' + edit.name;
    if (edit.op === 'proposal') return 'Applied a proposal (' + (edit.moves || []).length + ' moves)';
    var to = icbByKey.get(edit.to), toName = to ? shortName(to.name) : edit.to;
    if (edit.op === 'merge') {
      var from = icbByKey.get(edit.from);
      return 'Merged ' + (from ? shortName(from.name) : edit.from) + ' into ' + toName;
    }
    var what = edit.codes.length === 1
      ? LEVEL_NAMES[edit.layer] + ' ' + unitName(edit.layer, edit.codes[0])
      : edit.codes.length + ' ' + LEVEL_NAMES[edit.layer] + 's';
    return 'Gave ' + what + ' to ' + toName;
  }

  function perform(edit, started) {
    var t = started || performance.now();
    var step = apply(edit);
    if (!step) return false;
    done.push(step);
    undone = [];
    afterChange(describe(edit) + '.', t, step.rows);
    return true;
  }
  function undo() {
    var t = performance.now(), step = done.pop();
    if (!step) return say('Nothing to undo.');
    revert(step);
    undone.push(step.edit);
    afterChange('Undid: ' + describe(step.edit) + '.', t, step.rows);
  }
  function redo() {
    var t = performance.now(), edit = undone.pop();
    if (!edit) return say('Nothing to redo.');
    var keep = undone, step = apply(edit);
    if (!step) { undone.push(edit); return; }
    done.push(step);
    undone = keep;
    afterChange('Redid: ' + describe(edit) + '.', t, step.rows);
  }

  function afterChange(message, started, rows) {
    lastEditAt = started;
    refreshIcbChoices();
    renderTallies();
    restyle(rows);
    renderEdits();
    save();
    say(message);
    perf.tally.push(performance.now() - started);
    requestAnimationFrame(function () { setTimeout(function () { perf.frame.push(performance.now() - started); }, 0); });
    scheduleEvaluation();
  }

  // ---- changes for the API: whole districts as moves, the LSOAs of districts moved in
  // part as block assignments (LSOA code, ICB), which the API resolves in one step.
  var NEW_ICB = 'new_icb:'; // how the scenario API names a new ICB (geodata.scenarios.model)
  function target(icbIndex) { var icb = icbs[icbIndex]; return icb.isNew ? NEW_ICB + icb.name : icb.code; }
  function changes() {
    var byDistrict = new Map(), moves = [], blocks = [], idx = index.ltla;
    for (var i = 0; i < N; i++) {
      if (cur[i] === base[i]) continue;
      if (!byDistrict.has(idx[i])) byDistrict.set(idx[i], []);
      byDistrict.get(idx[i]).push(i);
    }
    byDistrict.forEach(function (rows, u) {
      var code = U.layers.ltla.codes[u], all = rowsOf('ltla', code), first = cur[all[0]], whole = true;
      for (var j = 1; j < all.length; j++) if (cur[all[j]] !== first) { whole = false; break; }
      if (whole) moves.push({ unit_layer: 'ltla', code: code, to_icb: target(first) });
      else rows.forEach(function (r) { blocks.push([codes[r], target(cur[r])]); });
    });
    moves.sort(function (a, b) { return a.code < b.code ? -1 : a.code > b.code ? 1 : 0; });
    blocks.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    return { moves: moves, blocks: blocks };
  }

  // ---- tallies --------------------------------------------------------------------------
  function bounds() {
    var low = $('min-pop').value, high = $('max-pop').value;
    return { min: low === '' ? null : Number(low), max: high === '' ? null : Number(high) };
  }
  function deviation(p, b) {
    if (b.min !== null && p < b.min) return { text: fmt(b.min - p) + ' below', bad: true };
    if (b.max !== null && p > b.max) return { text: fmt(p - b.max) + ' above', bad: true };
    return { text: 'within', bad: false };
  }
  function liveIcbs(pops) { return pops.filter(function (p) { return p > 0; }).length; }

  function councilChanges() {
    var out = {};
    COUNCIL_LAYERS.forEach(function (layer) {
      if (!counts[layer]) return;
      var became = [], healed = [], splitNow = 0, splitBase = 0;
      counts[layer].forEach(function (m, u) {
        var now = m.size, was = baseSplit[layer][u], name = U.layers[layer].names[u];
        if (now > 1) splitNow++;
        if (was > 1) splitBase++;
        if (was === 1 && now > 1) became.push(name);
        if (was > 1 && now === 1) healed.push(name);
      });
      out[layer] = { became: became, healed: healed, now: splitNow, base: splitBase };
    });
    return out;
  }

  // Rules the page can check at once; contiguity and typology come from the server.
  function localRules(pops, splitUtlas) {
    var b = bounds(), rules = [], offenders = [];
    var bad = [];
    pops.forEach(function (p, i) {
      if (p > 0 && ((b.min !== null && p < b.min) || (b.max !== null && p > b.max))) bad.push(icbs[i] ? shortName(icbs[i].name) : String(i));
    });
    offenders = [];
    counts.utla.forEach(function (m, u) { if (m.size > 1) offenders.push(U.layers.utla.names[u]); });
    rules.push({ rule: 'utla_within_one_icb', description: 'every upper-tier LA lies within one ICB', offenders: offenders });
    if (b.min !== null || b.max !== null) rules.push({ rule: 'icb_population', description: 'every ICB within the population bounds', offenders: bad });
    return rules;
  }
  var baseLocal = null;
  function baseRulesLocal() {
    var b = bounds(), key = JSON.stringify(b);
    if (baseLocal && baseLocal.key === key) return baseLocal.rules;
    var offenders = [];
    baseSplit.utla.forEach(function (n, u) { if (n > 1) offenders.push(U.layers.utla.names[u]); });
    var bad = [];
    basePop.forEach(function (p, i) {
      if (p > 0 && ((b.min !== null && p < b.min) || (b.max !== null && p > b.max))) bad.push(shortName(icbs[i].name));
    });
    var rules = { utla_within_one_icb: offenders, icb_population: bad };
    baseLocal = { key: key, rules: rules };
    return rules;
  }

  function renderRule(list, rule, passed, newly, already, pending, fixed) {
    var li = el('li');
    li.dataset.rule = rule.rule;
    li.appendChild(el('span', pending ? 'checking\u2026' : passed ? 'pass' : 'fail', pending ? '' : passed ? 'pass' : 'fail'));
    li.appendChild(document.createTextNode(' ' + rule.description));
    if (!passed && !pending) {
      var detail = el('div');
      if (newly.length) detail.appendChild(el('div', 'Newly failing (' + newly.length + '): ' + newly.slice(0, 8).join(', ') + (newly.length > 8 ? '\u2026' : ''), 'newly'));
      if (already.length) detail.appendChild(el('div', 'Already failing in the base (' + already.length + '): ' + already.slice(0, 5).join(', ') + (already.length > 5 ? '\u2026' : '')));
      li.appendChild(detail);
    }
    if (fixed && fixed.length) li.appendChild(el('div', 'Fixed by these edits (' + fixed.length + '): ' + fixed.slice(0, 5).join(', ') + (fixed.length > 5 ? '\u2026' : '')));
    li.dataset.newly = String(newly.length);
    li.dataset.already = String(already.length);
    list.appendChild(li);
  }

  var rowsByKey = new Map();
  function renderTallies() {
    var b = bounds(), changes = councilChanges(), dl = $('summary');
    var live = liveIcbs(icbPop), liveBase = liveIcbs(basePop);
    var items = [
      ['ICBs', live + (live !== liveBase ? ' (base ' + liveBase + ')' : ''), 'icbs'],
      ['People moved', fmt(moved.people), 'people-moved'],
      ['LSOAs moved', fmt(moved.lsoas), 'lsoas-moved'],
      ['Smallest ICB', fmt(Math.min.apply(null, icbPop.filter(function (p) { return p > 0; }))), 'min'],
      ['Largest ICB', fmt(Math.max.apply(null, icbPop)), 'max'],
      ['Split upper-tier councils', changes.utla.now + ' (base ' + changes.utla.base + ')', 'split-utlas'],
      ['Split districts', changes.ltla.now + ' (base ' + changes.ltla.base + ')', 'split-ltlas'],
    ];
    dl.textContent = '';
    items.forEach(function (item) {
      dl.appendChild(el('dt', item[0]));
      var dd = el('dd', item[1]);
      dd.dataset.tally = item[2];
      dl.appendChild(dd);
    });

    // ICB table: rows made once and updated in place (keeps focus on a lock box).
    var tbody = document.querySelector('#icb-table tbody');
    icbs.forEach(function (icb) {
      var row = rowsByKey.get(icb.key);
      if (!row) row = makeIcbRow(icb, tbody);
      var p = icbPop[icb.index], change = p - basePop[icb.index], dev = deviation(p, b);
      row.tr.hidden = p === 0 && basePop[icb.index] === 0 && !icb.isNew;
      row.people.textContent = fmt(p);
      row.change.textContent = change ? signed(change) : '0';
      row.dev.textContent = p === 0 ? 'empty' : dev.text;
      row.dev.className = dev.bad && p > 0 ? 'fail' : '';
      row.tr.classList.toggle('edited', change !== 0 || icb.isNew);
      row.lock.checked = locks.has(icb.key);
    });
    rowsByKey.forEach(function (row, key) { if (!icbByKey.has(key)) { row.tr.remove(); rowsByKey.delete(key); } });

    var councils = $('councils');
    councils.textContent = '';
    ['utla', 'ltla'].forEach(function (layer) {
      var c = changes[layer];
      if (c.became.length) councils.appendChild(el('li', COUNCIL_NAMES[layer] + ' newly split: ' + c.became.join(', '), 'newly'));
      if (c.healed.length) councils.appendChild(el('li', COUNCIL_NAMES[layer] + ' no longer split: ' + c.healed.join(', ')));
    });
    if (!councils.children.length) councils.appendChild(el('li', 'No council becomes split or unsplit.'));

    var sas = $('sas');
    if (changes.sa) {
      sas.textContent = 'Cut by an ICB boundary: ' + changes.sa.now + ' (base ' + changes.sa.base + ')' +
        (changes.sa.became.length ? '; newly cut: ' + changes.sa.became.join(', ') : '') +
        (changes.sa.healed.length ? '; no longer cut: ' + changes.sa.healed.join(', ') : '') + '.';
    } else {
      sas.textContent = 'Vintage ' + cfg.vintage + ' has no strategic authority layer.';
    }
    renderRules();
    $('undo').disabled = !done.length;
    $('redo').disabled = !undone.length;
  }

  function makeIcbRow(icb, tbody) {
    var tr = el('tr'), name = el('td'), sw = el('span', null, 'swatch');
    tr.dataset.icb = icb.key;
    sw.style.background = icb.colour;
    name.appendChild(sw);
    name.appendChild(document.createTextNode(shortName(icb.name) + (icb.isNew ? ' (new)' : '')));
    var row = { tr: tr, people: el('td', '', 'n'), change: el('td', '', 'n'), dev: el('td'), lock: el('input') };
    row.people.dataset.col = 'people';
    row.change.dataset.col = 'change';
    row.lock.type = 'checkbox';
    row.lock.setAttribute('aria-label', 'Lock ' + icb.name);
    row.lock.addEventListener('change', function () {
      if (row.lock.checked) locks.add(icb.key); else locks.delete(icb.key);
      save();
      say((row.lock.checked ? 'Locked ' : 'Unlocked ') + icb.name + '.');
    });
    var lockCell = el('td');
    lockCell.appendChild(row.lock);
    [name, row.people, row.change, row.dev, lockCell].forEach(function (td) { tr.appendChild(td); });
    tbody.appendChild(tr);
    rowsByKey.set(icb.key, row);
    return row;
  }

  function renderRules() {
    var list = $('rules'), local = localRules(icbPop), baseR = baseRulesLocal();
    var server = lastEvaluation && lastEvaluation.fresh ? lastEvaluation.data : null;
    list.textContent = '';
    if (server) {
      server.rule_outcomes.forEach(function (o) {
        var passed = o.status === 'passes' || o.status === 'fixed';
        function names(list) { return list.map(function (x) { return shortName(x.name); }); }
        renderRule(list, o, passed, names(o.new), names(o.existing), false, names(o.fixed));
      });
      return;
    }
    local.forEach(function (r) {
      var was = new Set(baseR[r.rule] || []);
      renderRule(list, r, !r.offenders.length,
        r.offenders.filter(function (o) { return !was.has(o); }),
        r.offenders.filter(function (o) { return was.has(o); }), false);
    });
    renderRule(list, { rule: 'icb_contiguous', description: 'every ICB is contiguous (islands allowed)' }, false, [], [], true);
  }

  function renderEdits() {
    var list = $('edit-list');
    list.textContent = '';
    done.forEach(function (step) { list.appendChild(el('li', describe(step.edit))); });
    undone.slice().reverse().forEach(function (edit) { list.appendChild(el('li', describe(edit) + ' (undone)', 'undone')); });
    if (!list.children.length) list.appendChild(el('li', 'No edits yet.', 'undone'));
  }

  // ---- the full evaluation from the server -----------------------------------------------
  function evaluationQuery() {
    var b = bounds(), q = new URLSearchParams();
    q.set('min_icb_population', b.min === null ? '0' : String(b.min));
    if (b.max !== null) q.set('max_icb_population', String(b.max));
    return q.toString();
  }
  function scheduleEvaluation() {
    if (lastEvaluation) lastEvaluation.fresh = false;
    $('server-state').textContent = 'Full evaluation: waiting for a pause in editing\u2026';
    clearTimeout(evaluateTimer);
    if (evaluating) evaluateAgain = true;
    evaluateTimer = setTimeout(evaluate, EVALUATE_PAUSE_MS);
  }
  // One request at a time: edits made while it runs are sent when it returns (a request
  // is never aborted, so the server is not asked twice and nothing is left half-done).
  var evaluating = false, evaluateAgain = false;
  function evaluate() {
    if (evaluating) { evaluateAgain = true; return; }
    evaluating = true;
    evaluateAgain = false;
    var sent = performance.now(), editAt = lastEditAt, generation = done.length + ':' + undone.length + ':' + lastEditAt;
    var change = changes(), body = { vintage: cfg.vintage, name: 'unsaved edits', moves: change.moves, blocks: change.blocks };
    $('server-state').textContent = 'Full evaluation: updating\u2026';
    fetch(api('/scenarios/evaluate?' + evaluationQuery()), {
      method: 'POST', credentials: 'same-origin',
      headers: writeHeaders(''),
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      var current = generation === done.length + ':' + undone.length + ':' + lastEditAt && !evaluateAgain;
      if (!answer.ok) {
        $('server-state').textContent = 'Full evaluation refused: ' + answer.data.error.message;
      } else if (current) {
        lastEvaluation = { fresh: true, data: answer.data };
        renderServer(answer.data);
        var now = performance.now();
        perf.evaluation.push(now - sent);
        perf.editToEvaluation.push(now - editAt);
      }
    }).catch(function (error) {
      $('server-state').textContent = 'Full evaluation failed: ' + error.message;
    }).then(function () {
      evaluating = false;
      if (evaluateAgain) evaluate();
    });
  }
  function renderServer(data) {
    var agree = data.icbs.every(function (row) {
      var icb = icbByKey.get(row.code) || icbByKey.get('new:' + row.name);
      return icb && Math.round(icbPop[icb.index]) === row.population_after;
    }) && data.summary.people_moved === Math.round(moved.people);
    $('server-state').textContent = 'Full evaluation: up to date' + (agree ? '; it agrees with the sums above.' : '; it differs from the sums above (reload the page).');
    $('server-state').dataset.agree = String(agree);
    renderRules();
    var typology = $('typology');
    typology.textContent = '';
    data.typology_changes.forEach(function (t) {
      typology.appendChild(el('li', t.name + ': type ' + t.type_before + ' \u2192 ' + t.type_after +
        (t.main_icb_code_before !== t.main_icb_code_after ? ' (main ICB ' + shortName(t.main_icb_name_before) + ' \u2192 ' + shortName(t.main_icb_name_after) + ')' : '')));
    });
    if (!data.typology_changes.length) typology.appendChild(el('li', 'No council changes type or main ICB.'));
  }

  // ---- storage and links -------------------------------------------------------------------
  function encodeEdit(e) {
    var c = encodeURIComponent;
    if (e.op === 'new') return 'n|' + c(e.name);
    if (e.op === 'merge') return 'm|' + c(e.from) + '|' + c(e.to);
    if (e.op === 'proposal') return 'p|' + c(JSON.stringify({ moves: e.moves || [], blocks: e.blocks || [] }));
    return 'a|' + e.layer + '|' + e.codes.map(c).join(',') + '|' + c(e.to);
  }
  function decodeEdit(text) {
    var p = text.split('|'), d = decodeURIComponent;
    if (p[0] === 'n' && p.length === 2) return { op: 'new', name: d(p[1]) };
    if (p[0] === 'm' && p.length === 3) return { op: 'merge', from: d(p[1]), to: d(p[2]) };
    if (p[0] === 'p' && p.length === 2) {
      try { var spec = JSON.parse(d(p[1])); return { op: 'proposal', moves: spec.moves, blocks: spec.blocks }; } catch (e) { return null; }
    }
    if (p[0] === 'a' && p.length === 4 && LEVEL_NAMES[p[1]]) return { op: 'assign', layer: p[1], codes: p[2].split(',').map(d), to: d(p[3]) };
    return null;
  }
  function link() {
    var edits = done.map(function (s) { return encodeEdit(s.edit); }).join(';');
    return location.origin + location.pathname + location.search + (edits ? '#edits=' + edits : '');
  }
  function save() {
    var state = { edits: done.map(function (s) { return encodeEdit(s.edit); }), undone: undone.map(encodeEdit), locks: Array.from(locks) };
    try { localStorage.setItem(storageKey, JSON.stringify(state)); } catch (e) { /* private mode: the link still works */ }
    history.replaceState(null, '', link());
    $('share-link').value = link();
  }
  function restore() {
    var fromLink = /^#edits=(.*)$/.exec(location.hash), state = null;
    try { state = JSON.parse(localStorage.getItem(storageKey) || 'null'); } catch (e) { state = null; }
    var edits = fromLink ? fromLink[1].split(';') : state ? state.edits : [];
    if (state && !fromLink) (state.locks || []).forEach(function (k) { locks.add(k); });
    var skipped = 0;
    locks.forEach(function (k) { if (!icbByKey.has(k) && k.indexOf('new:') !== 0) locks.delete(k); });
    var held = locks;
    locks = new Set(); // replay first, then lock: locks guard new edits, not the saved ones
    edits.forEach(function (text) {
      var edit = decodeEdit(text), step = edit && apply(edit);
      if (step) done.push(step); else skipped++;
    });
    locks = held;
    if (state && !fromLink) undone = (state.undone || []).map(decodeEdit).filter(Boolean);
    return { count: done.length, skipped: skipped, fromLink: !!fromLink };
  }

  // ---- the map -----------------------------------------------------------------------------
  var map, pickLayer = null, level = 'ltla', outlines = {}, lsoaLayer = null, lsoaFeatures = new Map(), featureByCode = new Map();
  var lsoaDistricts = new Set(), districtLines = null, labels = null, styleCache = new Map();
  var mode = 'click';

  function makeMap() {
    map = L.map('map', { preferCanvas: true, boxZoom: false, zoomSnap: 0.5, minZoom: 5, maxZoom: 16 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(root.dataset.attribution);
    if (cfg.tiles) L.tileLayer(cfg.tiles, { attribution: cfg.tilesAttribution }).addTo(map);
    map.createPane('base').style.zIndex = 450;
    map.getPane('base').style.pointerEvents = 'none';
    map.createPane('labels').style.zIndex = 460;
    map.getPane('labels').style.pointerEvents = 'none';
    map.fitBounds([[49.9, -5.8], [55.8, 1.8]]);
    map.on('moveend', function () { if (level === 'lsoa') loadLsoas(); });
    map.on('zoomend', function () { $('map').classList.toggle('far', map.getZoom() < 7); });
    $('map').classList.toggle('far', map.getZoom() < 7);
  }

  // A unit's ICBs now and in the base, by population (largest first).
  function shares(layer, code, which) {
    var rows = rowsOf(layer, code), total = 0, by = new Map();
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], k = which[r];
      by.set(k, (by.get(k) || 0) + pop[r]);
      total += pop[r];
    }
    var list = Array.from(by.entries()).sort(function (a, b) { return b[1] - a[1]; });
    return { total: total, list: list };
  }
  function unitStyle(layer, code) {
    var rows = rowsOf(layer, code), movedHere = false, best = -1, bestPop = -1, by = new Map();
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (cur[r] !== base[r]) movedHere = true;
      var p = (by.get(cur[r]) || 0) + pop[r] + 1e-9;
      by.set(cur[r], p);
      if (p > bestPop) { bestPop = p; best = cur[r]; }
    }
    if (best < 0) return { fillColor: '#cccccc', fillOpacity: 0.2, color: '#ffffff', weight: 0.5 };
    var edited = Math.round(icbPop[best]) !== Math.round(basePop[best]) || icbs[best].isNew;
    return {
      fillColor: icbs[best].colour, fillOpacity: edited ? 0.85 : 0.45,
      color: movedHere ? '#0b0c0c' : '#ffffff', weight: movedHere ? (layer === 'lsoa' ? 1.5 : 2.5) : (layer === 'lsoa' ? 0.4 : 0.7), opacity: 1,
    };
  }
  function styleFeature(layer, feature) {
    var s = unitStyle(layer, feature.feature.properties.code);
    var key = s.fillColor + s.fillOpacity + s.color + s.weight;
    if (styleCache.get(feature) === key) return;
    styleCache.set(feature, key);
    feature.setStyle(s);
  }
  // Restyle the units an edit touched; everything when an ICB starts or stops being
  // edited (its units all change fill) or when no rows are given.
  var editedFlags = [];
  function restyle(rows) {
    var flags = icbs.map(function (icb) { return Math.round(icbPop[icb.index]) !== Math.round(basePop[icb.index]) || icb.isNew; });
    var flipped = flags.length !== editedFlags.length || flags.some(function (f, i) { return f !== editedFlags[i]; });
    editedFlags = flags;
    if (pickLayer && (!rows || flipped)) pickLayer.eachLayer(function (f) { styleFeature(level, f); });
    else if (pickLayer) {
      var touched = new Set();
      for (var i = 0; i < rows.length; i++) {
        if (level === 'lsoa') touched.add(codes[rows[i]]);
        else if (index[level][rows[i]] >= 0) touched.add(U.layers[level].codes[index[level][rows[i]]]);
      }
      touched.forEach(function (code) { var f = featureByCode.get(code); if (f) styleFeature(level, f); });
    }
    updateLabels();
  }

  function tooltip(layer, code) {
    var box = el('div'), s = shares(layer, code, cur), b = shares(layer, code, base);
    function names(list) {
      return list.map(function (e) { return shortName(icbs[e[0]].name) + (list.length > 1 ? ' (' + Math.round(100 * e[1] / s.total) + '%)' : ''); }).join(', ');
    }
    box.appendChild(el('strong', unitName(layer, code) + ' (' + code + ')'));
    box.appendChild(el('div', 'People: ' + fmt(s.total)));
    if (layer === 'lsoa') {
      var r = rowsOf('lsoa', code)[0];
      box.appendChild(el('div', 'District: ' + U.layers.ltla.names[index.ltla[r]]));
    }
    box.appendChild(el('div', 'Base ICB: ' + names(b.list)));
    box.appendChild(el('div', 'New ICB: ' + names(s.list)));
    return box;
  }

  function drawLevel(newLevel) {
    if (pickLayer) map.removeLayer(pickLayer);
    if (districtLines) { map.removeLayer(districtLines); districtLines = null; }
    level = newLevel;
    styleCache = new Map();
    if (level === 'lsoa') {
      pickLayer = lsoaLayer = lsoaLayer || L.geoJSON(null, { onEachFeature: bindUnit('lsoa') });
      featureByCode = lsoaFeatures;
      pickLayer.addTo(map);
      districtLines = L.geoJSON(outlines.ltla, { pane: 'base', interactive: false, style: { color: '#505a5f', weight: 1.2, fill: false } }).addTo(map);
      restyle();
      refreshFindList();
      loadLsoas();
      return Promise.resolve();
    }
    return loadOutlines(level).catch(function (error) {
      say('Could not load the ' + LEVEL_NAMES[newLevel] + 's: ' + error.message, true);
      return null;
    }).then(function (data) {
      if (level !== newLevel || !data) return;
      featureByCode = new Map();
      pickLayer = L.geoJSON(data, { onEachFeature: bindUnit(level) }).addTo(map);
      pickLayer.eachLayer(function (f) { featureByCode.set(f.feature.properties.code, f); });
      restyle();
      refreshFindList();
      say('Picking ' + LEVEL_NAMES[level] + 's.');
    });
  }
  function bindUnit(layer) {
    return function (feature, shape) {
      var code = feature.properties.code;
      shape.bindTooltip(function () { return tooltip(layer, code); }, { sticky: true, className: 'unit-tip' });
      shape.on('click', function (e) {
        if (mode !== 'click') return;
        var t = performance.now();
        L.DomEvent.stop(e);
        perform({ op: 'assign', layer: layer, codes: [code], to: icbs[active].key }, t);
        if (shape.getTooltip()) shape.getTooltip().update(); // show the new ICB at once
      });
      if (layer !== 'lsoa') styleFeature(layer, shape);
    };
  }
  function loadOutlines(layer) {
    if (outlines[layer]) return Promise.resolve(outlines[layer]);
    return getJSON(api('/editor/outlines/' + layer + '?vintage=' + cfg.vintage)).then(function (data) {
      outlines[layer] = data;
      return data;
    });
  }
  function loadLsoas() {
    if (map.getZoom() < LSOA_ZOOM) { say('Zoom in further to pick LSOAs (the district outlines show where you are).'); return; }
    var view = map.getBounds(), wanted = [];
    outlines.ltla.features.forEach(function (f) {
      if (lsoaDistricts.has(f.properties.code)) return;
      var b = L.geoJSON(f).getBounds();
      if (view.intersects(b)) wanted.push(f.properties.code);
    });
    if (!wanted.length) return;
    if (wanted.length > MAX_DISTRICTS) { say('Zoom in further to pick LSOAs.'); return; }
    wanted.forEach(function (c) { lsoaDistricts.add(c); });
    getJSON(api('/editor/lsoas?vintage=' + cfg.vintage + '&ltla=' + wanted.join(','))).then(function (data) {
      lsoaLayer.addData(data);
      lsoaLayer.eachLayer(function (f) {
        if (!lsoaFeatures.has(f.feature.properties.code)) lsoaFeatures.set(f.feature.properties.code, f);
      });
      if (level === 'lsoa') restyle();
      say('Picking LSOAs: ' + lsoaFeatures.size + ' shown.');
    }).catch(function (error) {
      wanted.forEach(function (c) { lsoaDistricts.delete(c); });
      say('Could not load LSOAs: ' + error.message, true);
    });
  }

  // One label per live ICB, made once; new ICBs' labels follow their largest district.
  var labelMarkers = new Map();
  function updateLabels() {
    if (!labels) labels = L.layerGroup().addTo(map);
    var points = labelPoints();
    icbs.forEach(function (icb) {
      var marker = labelMarkers.get(icb.key), live = icbPop[icb.index] > 0;
      var pt = live ? (icb.isNew ? newIcbPoint(icb) : points.get(icb.code)) : null;
      if (!pt) {
        if (marker) { labels.removeLayer(marker); labelMarkers.delete(icb.key); }
        return;
      }
      if (marker) { if (icb.isNew) marker.setLatLng(pt); return; }
      var icon = L.divIcon({ className: 'icb-label', html: '', iconSize: null });
      marker = L.marker(pt, { icon: icon, interactive: false, keyboard: false, pane: 'labels' }).addTo(labels);
      marker.getElement().appendChild(el('span', shortName(icb.name)));
      labelMarkers.set(icb.key, marker);
    });
    labelMarkers.forEach(function (marker, key) {
      if (!icbByKey.has(key)) { labels.removeLayer(marker); labelMarkers.delete(key); }
    });
  }
  var labelPointCache = null;
  function labelPoints() {
    if (!labelPointCache && outlines.icb) {
      labelPointCache = new Map();
      outlines.icb.features.forEach(function (f) { labelPointCache.set(f.properties.code, f.properties.pt); });
    }
    return labelPointCache || new Map();
  }
  function newIcbPoint(icb) {
    var districts = outlines.ltla ? outlines.ltla.features : [];
    var best = null, bestPop = 0;
    districts.forEach(function (f) {
      var rows = rowsOf('ltla', f.properties.code), p = 0;
      for (var i = 0; i < rows.length; i++) if (cur[rows[i]] === icb.index) p += pop[rows[i]];
      if (p > bestPop) { bestPop = p; best = f.properties.pt; }
    });
    return best;
  }

  // Box and lasso: units whose inside point falls in the shape go to the active ICB.
  function setMode(newMode) {
    mode = newMode;
    if (mode === 'click') map.dragging.enable(); else map.dragging.disable();
    say(mode === 'click' ? 'Click a unit to give it to the active ICB.' : 'Drag on the map to draw a ' + mode + '; units inside go to the active ICB.');
  }
  function selectionHandlers() {
    var drawing = null, shape = null;
    map.on('mousedown', function (e) {
      if (mode === 'click') return;
      drawing = [e.latlng];
      shape = (mode === 'box' ? L.rectangle(L.latLngBounds(e.latlng, e.latlng), { weight: 2, color: '#1d70b8', dashArray: '4 3', fillOpacity: 0.08, interactive: false })
        : L.polygon([e.latlng], { weight: 2, color: '#1d70b8', dashArray: '4 3', fillOpacity: 0.08, interactive: false })).addTo(map);
    });
    map.on('mousemove', function (e) {
      if (!drawing) return;
      if (mode === 'box') { drawing[1] = e.latlng; shape.setBounds(L.latLngBounds(drawing[0], e.latlng)); }
      else { drawing.push(e.latlng); shape.setLatLngs(drawing); }
    });
    map.on('mouseup', function (e) {
      if (!drawing) return;
      var t = performance.now(), points = drawing, kind = mode;
      if (kind === 'box') points = [drawing[0], e.latlng]; else points.push(e.latlng);
      map.removeLayer(shape);
      drawing = null;
      var inside = kind === 'box' ? boxTest(L.latLngBounds(points[0], points[1])) : lassoTest(points);
      var chosen = [];
      pickLayer.eachLayer(function (f) { var pt = f.feature.properties.pt; if (pt && inside(pt)) chosen.push(f.feature.properties.code); });
      if (!chosen.length) return say('No ' + LEVEL_NAMES[level] + ' has its centre inside that ' + kind + '.');
      perform({ op: 'assign', layer: level, codes: chosen.sort(), to: icbs[active].key }, t);
    });
  }
  function boxTest(bounds) { return function (pt) { return bounds.contains(pt); }; }
  function lassoTest(points) {
    var ring = points.map(function (p) { return [p.lat, p.lng]; });
    return function (pt) {
      var inside = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[i], b = ring[j];
        if ((a[1] > pt[1]) !== (b[1] > pt[1]) && pt[0] < (b[0] - a[0]) * (pt[1] - a[1]) / (b[1] - a[1]) + a[0]) inside = !inside;
      }
      return inside;
    };
  }

  // ---- controls ------------------------------------------------------------------------------
  function fillSelect(select, chosen) {
    var keep = select.value;
    select.textContent = '';
    icbs.slice().sort(function (a, b) { return shortName(a.name).localeCompare(shortName(b.name)); }).forEach(function (icb) {
      var option = el('option', shortName(icb.name) + (icb.isNew ? ' (new)' : '') + (icb.code ? ' \u2013 ' + icb.code : ''));
      option.value = icb.key;
      select.appendChild(option);
    });
    select.value = chosen !== undefined ? chosen : keep;
    if (!select.value && icbs.length) select.value = icbs[0].key;
  }
  var choicesFor = -1;
  function refreshIcbChoices() {
    if (choicesFor === icbs.length) return;
    choicesFor = icbs.length;
    if (!icbs[active]) active = 0;
    fillSelect($('active-icb'), icbs[active].key);
    fillSelect($('merge-from'));
    fillSelect($('merge-into'));
  }
  function refreshFindList() {
    var list = $('find-list');
    list.textContent = '';
    if (level === 'lsoa') {
      lsoaFeatures.forEach(function (f, code) { var o = el('option'); o.value = f.feature.properties.name + ' (' + code + ')'; list.appendChild(o); });
      return;
    }
    U.layers[level].codes.forEach(function (code, i) {
      var o = el('option');
      o.value = U.layers[level].names[i] + ' (' + code + ')';
      list.appendChild(o);
    });
  }
  // A unit by "Name (CODE)", a code, or a unique part of a name, in the current level first.
  function findUnit(query) {
    var text = query.trim(), code = /\(([^()]+)\)\s*$/.exec(text), wanted = (code ? code[1] : text).toLowerCase();
    var layers = [level].concat(['ltla', 'sicbl', 'pcn'].filter(function (l) { return l !== level && U.layers[l]; }));
    if (codeRow.has(wanted.toUpperCase())) return { layer: 'lsoa', code: wanted.toUpperCase() };
    var partial = [];
    for (var k = 0; k < layers.length; k++) {
      var layer = layers[k];
      if (layer === 'lsoa') continue;
      var unitCodes = U.layers[layer].codes, names = U.layers[layer].names;
      for (var i = 0; i < unitCodes.length; i++) {
        if (unitCodes[i].toLowerCase() === wanted || names[i].toLowerCase() === wanted) return { layer: layer, code: unitCodes[i] };
        if (k === 0 && names[i].toLowerCase().indexOf(wanted) >= 0) partial.push({ layer: layer, code: unitCodes[i], name: names[i] });
      }
    }
    if (partial.length === 1) return partial[0];
    return { matches: partial };
  }

  function wire() {
    $('active-icb').addEventListener('change', function (e) {
      active = icbByKey.get(e.target.value).index;
      say('Active ICB: ' + icbs[active].name + '.');
    });
    $('level').addEventListener('change', function (e) { drawLevel(e.target.value); });
    document.querySelectorAll('input[name=mode]').forEach(function (radio) {
      radio.addEventListener('change', function () { if (radio.checked) setMode(radio.value); });
    });
    $('find').addEventListener('submit', function (e) {
      e.preventDefault();
      var t = performance.now(), query = $('find-input').value;
      if (!query.trim()) return say('Type a name or code to find.', true);
      var found = findUnit(query);
      if (!found.code) {
        var m = found.matches;
        return say(m.length ? m.length + ' units match: ' + m.slice(0, 5).map(function (x) { return x.name; }).join(', ') + (m.length > 5 ? '\u2026' : '') + '. Type more of the name.' : 'Nothing matches \u201c' + query + '\u201d.', true);
      }
      if (perform({ op: 'assign', layer: found.layer, codes: [found.code], to: icbs[active].key }, t)) $('find-input').value = '';
    });
    $('undo').addEventListener('click', undo);
    $('redo').addEventListener('click', redo);
    $('share').addEventListener('click', function () {
      var text = link();
      $('share-link').value = text;
      $('share-link').select();
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { say('Link copied.'); }, function () { say('Copy the selected link.'); });
      else say('Copy the selected link.');
    });
    $('reset').addEventListener('click', function () {
      var t = performance.now();
      while (done.length) revert(done.pop());
      undone = [];
      afterChange('Started again from the base.', t);
    });
    $('new-icb').addEventListener('submit', function (e) {
      e.preventDefault();
      var t = performance.now(), name = $('new-icb-name').value.trim();
      if (perform({ op: 'new', name: name }, t)) {
        active = icbByKey.get('new:' + name).index;
        choicesFor = -1;
        refreshIcbChoices();
        $('new-icb-name').value = '';
        say('Created ' + name + '; it is now the active ICB.');
      }
    });
    $('merge').addEventListener('submit', function (e) {
      e.preventDefault();
      perform({ op: 'merge', from: $('merge-from').value, to: $('merge-into').value }, performance.now());
    });
    ['min-pop', 'max-pop'].forEach(function (id) {
      $(id).addEventListener('change', function () { renderTallies(); scheduleEvaluation(); });
    });
    document.addEventListener('keydown', function (e) {
      var tag = (e.target.tagName || '').toLowerCase();
      if (tag === 'input' || tag === 'textarea') return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') { e.preventDefault(); if (e.shiftKey) redo(); else undo(); }
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'y') { e.preventDefault(); redo(); }
    });
    $('save').addEventListener('submit', function (e) { e.preventDefault(); saveScenario(); });
    $('propose').addEventListener('click', propose);
  }

  // ---- a proposal from the solver (POST /proposals), applied as one edit ----------------
  function propose() {
    var result = $('propose-result'), b = bounds(), button = $('propose');
    var body = {
      save: false,
      rules: {
        council_within_one_icb: true, contiguous: true,
        min_icb_population: b.min, max_icb_population: b.max,
        locked_icbs: Array.from(locks).filter(function (k) { return k.indexOf('new:') !== 0; }),
      },
    };
    if (cfg.scenario) body.base = Number(cfg.scenario); else body.vintage = cfg.vintage;
    result.textContent = 'Solving\u2026 (up to 30 seconds)';
    button.disabled = true;
    fetch(api('/proposals'), {
      method: 'POST', credentials: 'same-origin',
      headers: writeHeaders($('save-token').value.trim()), body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      result.textContent = '';
      if (!answer.ok) {
        var error = answer.data.error || {}, text = 'No proposal: ' + (error.message || 'refused');
        (((error.details || {}).conflicts) || []).slice(0, 3).forEach(function (c) { text += ' ' + c.message; });
        result.appendChild(el('p', text, 'fail'));
        return;
      }
      var p = answer.data.proposal, spec = answer.data.spec;
      result.appendChild(el('p', (p.proven_optimal ? 'Proven optimal: ' : 'Best found (gap ' + Math.round(100 * (p.gap || 0)) + '%): ') +
        fmt(p.people_moved) + ' people moved from the base, ' + p.icbs_used + ' ICBs, ' + spec.moves.length + ' moves.'));
      var apply = el('button', 'Apply the proposal');
      apply.type = 'button';
      apply.addEventListener('click', function () {
        perform({ op: 'proposal', moves: spec.moves, blocks: spec.blocks }, performance.now());
      });
      result.appendChild(apply);
      result.dataset.peopleMoved = String(p.people_moved);
    }).catch(function (error) {
      result.textContent = 'No proposal: ' + error.message;
    }).then(function () { button.disabled = false; });
  }

  // ---- save through the scenario API, then check the saved evaluation against the panel ----
  function saveScenario() {
    var result = $('save-result'), body = {
      vintage: cfg.vintage, name: $('save-name').value.trim(),
      description: $('save-description').value.trim(),
    };
    var change = changes();
    body.moves = change.moves;
    body.blocks = change.blocks;
    var asVersion = $('save-version');
    if (cfg.scenario && asVersion && asVersion.checked) body.parent = Number(cfg.scenario);
    result.textContent = 'Saving\u2026';
    fetch(api('/scenarios'), {
      method: 'POST', credentials: 'same-origin',
      headers: writeHeaders($('save-token').value.trim()),
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      result.textContent = '';
      if (!answer.ok) { result.appendChild(el('p', 'Not saved: ' + answer.data.error.message, 'fail')); return; }
      var saved = answer.data, p = el('p', 'Saved as scenario ' + saved.id + ' (version ' + saved.version + '): ');
      var a = el('a', 'its evaluation');
      a.href = '/scenarios/' + saved.id;
      p.appendChild(a);
      p.appendChild(document.createTextNode(' \u00b7 '));
      var edit = el('a', 'edit it');
      edit.href = '/edit?scenario=' + saved.id;
      p.appendChild(edit);
      result.appendChild(p);
      result.dataset.scenario = String(saved.id);
      return getJSON(api('/scenarios/' + saved.id + '/evaluation?' + evaluationQuery())).then(function (evaluation) {
        var differences = comparePanel(evaluation);
        var check = el('p', differences.length ? 'The saved evaluation differs from the panel: ' + differences.join('; ') : 'The saved evaluation matches the panel.', differences.length ? 'fail' : 'pass');
        check.dataset.matches = String(!differences.length);
        result.appendChild(check);
      });
    }).catch(function (error) { result.textContent = 'Not saved: ' + error.message; });
  }
  function comparePanel(evaluation) {
    var out = [];
    evaluation.icbs.forEach(function (row) {
      var icb = icbByKey.get(row.code) || icbByKey.get('new:' + row.name);
      if (!icb || Math.round(icbPop[icb.index]) !== row.population_after) out.push(row.name + ' ' + row.population_after);
    });
    if (evaluation.summary.people_moved !== Math.round(moved.people)) out.push('people moved ' + evaluation.summary.people_moved);
    if (evaluation.summary.lsoas_moved !== moved.lsoas) out.push('LSOAs moved ' + evaluation.summary.lsoas_moved);
    return out;
  }

  // ---- start ---------------------------------------------------------------------------------
  function measure(url) {
    var entries = performance.getEntriesByName(new URL(url, location.href).href);
    return entries.length ? { transfer: entries[0].transferSize, decoded: entries[0].decodedBodySize } : null;
  }
  makeMap();
  var unitsUrl = api('/editor/units?' + (cfg.scenario ? 'scenario=' + cfg.scenario : 'vintage=' + cfg.vintage));
  Promise.all([getJSON(unitsUrl), loadOutlines('ltla'), loadOutlines('icb')]).then(function (loaded) {
    setup(loaded[0]);
    L.geoJSON(outlines.icb, { pane: 'base', interactive: false, style: { color: '#0b0c0c', weight: 1.8, dashArray: '6 4', fill: false } }).addTo(map);
    Array.prototype.forEach.call($('level').options, function (option) {
      if (option.value !== 'lsoa' && !U.layers[option.value]) option.remove(); // no PCN layer built
    });
    wire();
    selectionHandlers();
    var restored = restore();
    refreshIcbChoices();
    return drawLevel('ltla').then(function () {
      renderTallies();
      renderEdits();
      save();
      say(restored.count ? 'Restored ' + restored.count + ' edit(s)' + (restored.fromLink ? ' from the link' : ' from this browser') + (restored.skipped ? '; ' + restored.skipped + ' could not be applied' : '') + '.' : 'Ready: click a district to give it to the active ICB.');
      perf.ready = performance.now();
      ['units', 'ltla', 'icb'].forEach(function (name) {
        perf.payload[name] = measure(name === 'units' ? unitsUrl : api('/editor/outlines/' + name + '?vintage=' + cfg.vintage));
      });
      document.documentElement.dataset.mapReady = 'true';
      scheduleEvaluation();
    });
  }).catch(function (error) { say('The editor could not load: ' + error.message, true); });

  // For tests and the benchmark: where a unit is on screen, and the panel's state.
  window.editor = {
    unitPoint: function (layer, code) {
      var source = layer === 'lsoa' ? lsoaFeatures.get(code) : null, pt = null;
      if (source) pt = source.feature.properties.pt;
      else if (outlines[layer]) outlines[layer].features.forEach(function (f) { if (f.properties.code === code) pt = f.properties.pt; });
      if (!pt) return null;
      var p = map.latLngToContainerPoint(pt);
      return { x: p.x, y: p.y };
    },
    map: function () { return map; },
    moves: function () { return changes().moves; },
    blocks: function () { return changes().blocks; },
    lsoasShown: function () { return lsoaFeatures.size; },
    districtCodes: function () { return U.layers.ltla.codes.slice(); },
    evaluated: function () { return !!(lastEvaluation && lastEvaluation.fresh); },
  };
})();
