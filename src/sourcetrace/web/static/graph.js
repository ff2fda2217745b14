/* Chain graphs: ask the server to lay a chain out (SVG drawn by web/graph.py) and put it into the page.
 *
 * The SVG is parsed as XML and rebuilt element by element from an allow-list (shapes and text only, no
 * scripts, links, styles or event attributes), so even a hostile source name can only ever become SVG
 * text content. No innerHTML anywhere.
 */
(function () {
  'use strict';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ELEMENTS = new Set(['svg', 'g', 'title', 'path', 'polygon', 'polyline', 'ellipse', 'text', 'line',
    'rect', 'circle']);
  const ATTRIBUTES = new Set(['width', 'height', 'viewBox', 'class', 'id', 'transform', 'fill', 'stroke',
    'stroke-width', 'stroke-dasharray', 'd', 'points', 'cx', 'cy', 'rx', 'ry', 'x', 'y', 'x1', 'x2', 'y1',
    'y2', 'text-anchor', 'font-family', 'font-size', 'font-weight', 'font-style']);

  function rebuild(source) {
    const tag = source.localName;
    if (!ELEMENTS.has(tag)) return null;
    const copy = document.createElementNS(SVG_NS, tag);
    for (const attr of Array.from(source.attributes)) {
      if (ATTRIBUTES.has(attr.name)) copy.setAttribute(attr.name, attr.value);
    }
    for (const child of Array.from(source.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) {
        copy.appendChild(document.createTextNode(child.nodeValue));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const kept = rebuild(child);
        if (kept) copy.appendChild(kept);
      }
    }
    return copy;
  }

  function safeSvg(text) {
    const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
    const root = parsed.documentElement;
    if (!root || root.localName !== 'svg' || parsed.getElementsByTagName('parsererror').length) {
      throw new Error('the graph could not be read');
    }
    return rebuild(root);
  }

  function message(container, text, cls) {
    const p = document.createElement('p');
    p.className = cls;
    p.textContent = text;
    container.replaceChildren(p);
  }

  /* chain: [{name, type, cue, reliability_label, reliability_score}], publisher first. */
  async function render(container, chain) {
    message(container, 'Drawing the chain…', 'hint');
    let response;
    try {
      response = await fetch('/api/chain.svg', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({chain: chain}),
      });
    } catch (err) {
      message(container, 'The server could not be reached to draw the graph.', 'error');
      return;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      const detail = body && typeof body.detail === 'string' ? body.detail : 'HTTP ' + response.status;
      message(container, 'No graph: ' + detail, 'error');
      return;
    }
    try {
      const svg = safeSvg(await response.text());
      svg.setAttribute('class', 'chain-graph');
      container.replaceChildren(svg);
    } catch (err) {
      message(container, 'No graph: ' + err.message, 'error');
    }
  }

  window.SourcetraceGraph = {render: render, safeSvg: safeSvg};
})();
