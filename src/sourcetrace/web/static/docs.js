/* A self-hosted reading of /openapi.json: endpoints, parameters, bodies and answers. (FastAPI's own
 * /docs page loads Swagger UI from a CDN; this app serves every asset itself.) */
(function () {
  'use strict';
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }
  function refName(schema) {
    if (!schema) return '';
    if (schema.$ref) return schema.$ref.split('/').pop();
    if (schema.type === 'array' && schema.items) return 'list of ' + refName(schema.items);
    return schema.type || '';
  }
  async function main() {
    const target = document.getElementById('endpoints');
    let spec;
    try {
      spec = await (await fetch('/openapi.json')).json();
    } catch (err) {
      target.replaceChildren(el('p', 'The OpenAPI document could not be loaded.', 'error'));
      return;
    }
    const sections = [];
    for (const [path, methods] of Object.entries(spec.paths || {})) {
      for (const [method, op] of Object.entries(methods)) {
        const section = el('section', undefined, 'endpoint');
        const h = el('h2');
        h.append(el('span', method.toUpperCase(), 'method method-' + method), ' ', el('code', path));
        section.append(h);
        if (op.summary) section.append(el('p', op.summary));
        if (op.description) section.append(el('p', op.description, 'hint'));
        const params = op.parameters || [];
        if (params.length) {
          const ul = el('ul');
          for (const p of params) {
            ul.append(el('li', p.name + ' (' + p.in + (p.required ? ', required' : '') + '): ' +
              refName(p.schema) + (p.description ? ' · ' + p.description : '')));
          }
          section.append(el('h3', 'Parameters'), ul);
        }
        if (op.requestBody) {
          const kinds = Object.entries(op.requestBody.content || {})
            .map(([type, c]) => type + ' ' + refName(c.schema)).join('; ');
          section.append(el('h3', 'Body'), el('p', kinds));
        }
        const codes = Object.entries(op.responses || {}).map(([code, r]) => code + ' ' + (r.description || ''));
        section.append(el('h3', 'Answers'), el('p', codes.join(' · ')));
        sections.push(section);
      }
    }
    target.replaceChildren(...sections);
  }
  main();
})();
