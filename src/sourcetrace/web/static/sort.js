/* Sortable tables: click a heading to sort by that column, click again to reverse.
 * Numeric columns sort by each cell's data-value (blank sorts last); text columns by their text. */
(function () {
  'use strict';
  function key(row, index, numeric) {
    const cell = row.cells[index];
    if (!cell) return numeric ? null : '';
    if (numeric) {
      const raw = cell.dataset.value;
      return raw === undefined || raw === '' ? null : Number(raw);
    }
    return cell.textContent.trim().toLowerCase();
  }

  function sortBy(table, th, index) {
    const numeric = th.dataset.kind === 'num';
    const ascending = th.getAttribute('aria-sort') !== 'ascending';
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort((a, b) => {
      const ka = key(a, index, numeric);
      const kb = key(b, index, numeric);
      if (ka === null || kb === null) return ka === kb ? 0 : (ka === null ? 1 : -1);
      const order = numeric ? ka - kb : ka.localeCompare(kb);
      return ascending ? order : -order;
    });
    for (const other of table.tHead.rows[0].cells) other.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    body.append(...rows);
  }

  for (const table of document.querySelectorAll('table.sortable')) {
    Array.from(table.tHead.rows[0].cells).forEach((th, index) => {
      th.tabIndex = 0;
      th.classList.add('sort-heading');
      th.addEventListener('click', () => sortBy(table, th, index));
      th.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th, index); }
      });
    });
  }
})();
