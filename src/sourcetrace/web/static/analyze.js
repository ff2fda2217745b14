/* The analyse page: send an article to the API, draw the report over the article text.
 *
 * Article text and every string of the report reach the page only through textContent and
 * createTextNode, never innerHTML, so markup inside an article is shown as text and never runs.
 * Offsets in the report are Unicode code points (Python str indices), so the text is split with
 * Array.from, not indexed as UTF-16.
 */
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const TYPES = ['outlet', 'named_person', 'named_organization', 'official_unnamed', 'anonymous',
    'eyewitness', 'document', 'collective', 'author'];
  let activeTab = 'text';
  let report = null;
  let reportJson = '';

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  const label = (type) => String(type || '').replace(/_/g, ' ');
  // Class names are built only from known values; anything else falls back to a fixed name.
  const typeClass = (type) => (TYPES.includes(type) ? type : 'other');

  function setStatus(text, isError) {
    const status = $('status');
    status.textContent = text;
    status.className = isError ? 'status error' : 'status';
  }

  /* ------------------------------------------------------------------------------- form and tabs */

  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      activeTab = tab.dataset.tab;
      for (const t of document.querySelectorAll('.tab')) {
        t.classList.toggle('active', t === tab);
        t.setAttribute('aria-selected', t === tab ? 'true' : 'false');
      }
      for (const pane of document.querySelectorAll('.pane')) {
        pane.classList.toggle('hidden', pane.dataset.pane !== activeTab);
      }
    });
  }

  function metadata() {
    const meta = {};
    for (const name of ['title', 'outlet', 'published']) {
      const value = $('meta-' + name).value.trim();
      if (value) meta[name] = value;
    }
    return meta;
  }

  function buildRequest() {
    const meta = metadata();
    if (activeTab === 'file') {
      const file = $('article-file').files[0];
      if (!file) throw new Error('Choose a file to upload.');
      const form = new FormData();
      form.append('file', file);
      for (const [k, v] of Object.entries(meta)) form.append(k, v);
      return ['/api/analyze/file', {method: 'POST', body: form}];
    }
    const body = Object.assign({}, meta);
    if (activeTab === 'url') {
      const url = $('article-url').value.trim();
      if (!url) throw new Error('Give the URL of an article.');
      body.url = url;
    } else {
      const text = $('article-text').value;
      if (!text.trim()) throw new Error('Paste the text of an article.');
      body.text = text;
    }
    return ['/api/analyze', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body)}];
  }

  function describeError(status, body) {
    if (body && typeof body.detail === 'string') return body.detail;
    if (body && Array.isArray(body.detail)) {
      return body.detail.map((e) => (e.loc || []).slice(1).join('.') + ': ' + e.msg).join('; ');
    }
    return 'the server answered HTTP ' + status;
  }

  $('analyze-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    let request;
    try {
      request = buildRequest();
    } catch (err) {
      setStatus(err.message, true);
      return;
    }
    $('analyze-button').disabled = true;
    setStatus('Analysing…', false);
    try {
      const response = await fetch(request[0], request[1]);
      const text = await response.text();
      let body = null;
      try { body = JSON.parse(text); } catch (err) { body = null; }
      if (!response.ok || !body) {
        setStatus('Error: ' + describeError(response.status, body), true);
        return;
      }
      reportJson = JSON.stringify(body, null, 2);
      render(body);
      setStatus('Done: ' + body.claims.length + ' claims, ' + body.attributions.length + ' attributions.', false);
    } catch (err) {
      setStatus('Error: the server could not be reached.', true);
    } finally {
      $('analyze-button').disabled = false;
    }
  });

  /* ------------------------------------------------------------------------------------ layers */

  for (const box of document.querySelectorAll('#layers input[type=checkbox]')) {
    box.addEventListener('change', () => {
      $('article').classList.toggle('layer-' + box.dataset.layer, box.checked);
    });
  }

  $('download').addEventListener('click', () => {
    if (!report) return;
    const blob = new Blob([reportJson], {type: 'application/json'});
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'sourcetrace-report.json';
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });

  /* ------------------------------------------------------------------------------------ render */

  function framingSpans(rep) {
    if (!Array.isArray(rep.framing)) return [];
    return rep.framing.filter((f) => f && Number.isInteger(f.start) && Number.isInteger(f.end))
      .map((f) => ({start: f.start, end: f.end, layer: 'framing',
        name: String(f.technique || f.label || f.name || 'framing')}));
  }

  function intervals(rep) {
    const out = [];
    for (const s of rep.sources) {
      for (const m of s.mentions || []) {
        out.push({start: m[0], end: m[1], layer: 'sources', type: typeClass(s.type), source: s});
      }
    }
    for (const a of rep.attributions) {
      if (a.cue && a.cue.start !== null) out.push({start: a.cue.start, end: a.cue.end, layer: 'cues'});
      const parts = a.content.parts && a.content.parts.length ? a.content.parts : [a.content];
      for (const p of parts) {
        if (p.start !== null && p.end !== null) out.push({start: p.start, end: p.end, layer: 'content'});
      }
    }
    for (const c of rep.claims) out.push({start: c.start, end: c.end, layer: 'claims', claim: c});
    return out.concat(framingSpans(rep));
  }

  function renderArticle(rep) {
    const chars = Array.from(rep.document.text);
    const spans = intervals(rep).filter((i) => i.start < i.end && i.start >= 0 && i.end <= chars.length);
    const cuts = new Set([0, chars.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    const points = Array.from(cuts).sort((a, b) => a - b);
    const article = $('article');
    const pieces = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i];
      const b = points[i + 1];
      const text = chars.slice(a, b).join('');
      const covering = spans.filter((s) => s.start <= a && s.end >= b);
      if (!covering.length) { pieces.push(document.createTextNode(text)); continue; }
      const span = el('span', text, 'seg');
      const titles = [];
      let claim = null;
      for (const s of covering) {
        if (s.layer === 'sources') {
          span.classList.add('hl-src', 'src-' + s.type);
          titles.push(label(s.source.type) + ': ' + s.source.name);
        } else if (s.layer === 'cues') {
          span.classList.add('hl-cue');
        } else if (s.layer === 'content') {
          span.classList.add('hl-content');
        } else if (s.layer === 'framing') {
          span.classList.add('hl-framing');
          titles.push('framing: ' + label(s.name));
        } else if (s.layer === 'claims') {
          // Nested claims: the innermost (shortest) one is the one a click means.
          if (!claim || (s.end - s.start) < (claim.end - claim.start)) claim = s.claim;
        }
      }
      if (claim) {
        span.classList.add('hl-claim');
        span.dataset.claim = claim.id;
        const cw = typeof claim.checkworthiness === 'number' ? claim.checkworthiness : 0.3;
        span.style.setProperty('--cw', String(Math.max(0, Math.min(1, cw))));
        if (typeof claim.checkworthiness === 'number') titles.push('check-worthiness ' + cw.toFixed(2));
      }
      if (titles.length) span.title = titles.join(' · ');
      pieces.push(span);
    }
    article.replaceChildren(...pieces);
  }

  function renderHeadline(rep) {
    const box = $('headline');
    const parts = [];
    const title = rep.document.title || '(no headline)';
    parts.push(el('h2', title, 'title'));
    const meta = [rep.document.outlet, rep.document.wire && 'wire ' + rep.document.wire,
      rep.document.published, rep.document.final_url || rep.document.url].filter(Boolean).join(' · ');
    if (meta) parts.push(el('p', meta, 'hint'));
    const rel = rep.document.outlet_reliability;
    if (rel && rel.label) parts.push(el('p', 'Outlet rating: ' + rel.label +
      (typeof rel.score === 'number' ? ' (' + rel.score.toFixed(2) + ')' : ''), 'hint'));
    if (rep.headline && rep.headline.overstated) {
      parts.push(el('p', '⚠ Overstated headline: ' + (rep.headline.note || ''), 'warning'));
    }
    box.replaceChildren(...parts);
  }

  function renderProfile(rep) {
    const p = rep.profile;
    const pct = (x) => Math.round(x * 100) + '%';
    const rows = [
      ['claims', p.claims],
      ['unattributed (outlet asserts itself)', pct(p.unattributed_share)],
      ['rest on unnamed sources', pct(p.unnamed_innermost_share)],
      ['deepest chain', p.deepest_chain],
      ['distinct innermost sources', p.distinct_innermost_sources],
    ];
    for (const [type, n] of Object.entries(p.sources_by_type).sort((a, b) => b[1] - a[1])) {
      rows.push(['sources: ' + label(type), n]);
    }
    const body = rows.map(([k, v]) => {
      const tr = el('tr');
      tr.append(el('th', k), el('td', v));
      return tr;
    });
    $('profile').replaceChildren(...body);
    const warnings = rep.warnings || [];
    $('warnings-panel').classList.toggle('hidden', !warnings.length);
    $('warnings').replaceChildren(...warnings.map((w) => el('li', w)));
  }

  function renderLegend() {
    const items = TYPES.map((t) => el('span', label(t), 'chip type-' + t));
    $('legend').replaceChildren(el('span', 'Source types: ', 'hint'), ...items);
  }

  function graphNodes(rep, claim) {
    const sources = new Map(rep.sources.map((s) => [s.id, s]));
    const attributions = new Map(rep.attributions.map((a) => [a.id, a]));
    return claim.chain.map((link, i) => {
      const source = sources.get(link.source_id);
      let rel = source && source.reliability;
      if (!rel && i === 0) rel = rep.document.outlet_reliability;
      const attribution = link.attribution_id ? attributions.get(link.attribution_id) : null;
      return {
        name: String(link.name).slice(0, 500),
        type: link.type,
        cue: attribution && attribution.cue ? String(attribution.cue.text).slice(0, 200) : null,
        reliability_label: rel && rel.label ? String(rel.label).slice(0, 40) : null,
        reliability_score: rel && typeof rel.score === 'number' ? rel.score : null,
      };
    });
  }

  function selectClaim(id) {
    const claim = report.claims.find((c) => c.id === id);
    if (!claim) return;
    for (const seg of document.querySelectorAll('#article .selected')) seg.classList.remove('selected');
    for (const seg of document.querySelectorAll('#article .hl-claim')) {
      if (seg.dataset.claim === id) seg.classList.add('selected');
    }
    $('claim-hint').classList.add('hidden');
    const quote = $('claim-text');
    quote.textContent = claim.text;
    quote.classList.remove('hidden');
    const meta = [];
    if (typeof claim.checkworthiness === 'number') meta.push('check-worthiness ' + claim.checkworthiness.toFixed(2));
    if (claim.hedges.length) meta.push('hedged: ' + claim.hedges.map((h) => h.text).join(', '));
    $('claim-meta').textContent = meta.join(' · ');
    const nodes = graphNodes(report, claim);
    $('claim-chain').replaceChildren(...nodes.map((n) => {
      const li = el('li');
      li.append(el('span', n.name, 'chip type-' + typeClass(n.type)), ' ' + label(n.type) +
        (n.cue ? ' · ' + n.cue : '') + (n.reliability_label ? ' · rated ' + n.reliability_label : ''));
      return li;
    }));
    $('graph').dataset.claim = id;
    window.SourcetraceGraph.render($('graph'), nodes);
  }

  $('article').addEventListener('click', (event) => {
    const seg = event.target.closest('.hl-claim');
    if (seg && report) selectClaim(seg.dataset.claim);
  });

  function render(rep) {
    report = rep;
    $('result').classList.remove('hidden');
    const hasFraming = framingSpans(rep).length > 0;
    $('framing-toggle').classList.toggle('hidden', !hasFraming);
    renderHeadline(rep);
    renderLegend();
    renderArticle(rep);
    renderProfile(rep);
    $('claim-hint').classList.remove('hidden');
    $('claim-text').classList.add('hidden');
    $('claim-meta').textContent = '';
    $('claim-chain').replaceChildren();
    $('graph').replaceChildren();
    delete $('graph').dataset.claim;
  }
})();
