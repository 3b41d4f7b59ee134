/* The Explorer's page script: installed once per browser tab, idempotent across reruns. */
/* It only moves and focuses elements the app drew; it reads no data and sends nothing. */
(function () {
  if (window.__contactAtlas) return;
  window.__contactAtlas = true;

  /* --- map labels: each clear of every marker and every other label, or hidden -------------- */
  /* Offsets (dx, dy of the label's box centre, in units of the marker's radius r and the */
  /* font size fs), tried in order: below, right, above, left, then the diagonals. */
  const AROUND = [
    (r, fs, w) => [0, r + 3 + 0.55 * fs],
    (r, fs, w) => [r + 4 + w / 2, 0],
    (r, fs, w) => [0, -(r + 3 + 0.55 * fs)],
    (r, fs, w) => [-(r + 4 + w / 2), 0],
    (r, fs, w) => [r + 2 + w / 2, r + 2 + 0.5 * fs],
    (r, fs, w) => [-(r + 2 + w / 2), r + 2 + 0.5 * fs],
    (r, fs, w) => [r + 2 + w / 2, -(r + 2 + 0.5 * fs)],
    (r, fs, w) => [-(r + 2 + w / 2), -(r + 2 + 0.5 * fs)],
  ];
  /* Close to the marker first, then a little further out (past a selection ring or an arrow). */
  const SPOTS = [0, 8, 16].flatMap((gap) => AROUND.map((f) => (r, fs, w) => f(r + gap, fs, w)));

  function overlap(a, b, pad) {
    return a.left < b.right + pad && b.left < a.right + pad && a.top < b.bottom + pad && b.top < a.bottom + pad;
  }

  function inside(a, area) {
    return a.left >= area.left && a.right <= area.right && a.top >= area.top && a.bottom <= area.bottom;
  }

  function placeLabels(gd) {
    if (!gd._fullLayout || !gd._fullLayout.geo || !gd._fullData) return;
    const bg = gd.querySelector('.geo .layer.bg rect');
    if (!bg) return;
    const area = bg.getBoundingClientRect();
    const obstacles = Array.from(gd.querySelectorAll('.geo g.trace.scattergeo path.point'))
      .map((e) => e.getBoundingClientRect())
      .filter((b) => b.width > 0);
    gd.querySelectorAll('.updatemenu-button').forEach((e) => obstacles.push(e.getBoundingClientRect()));
    const placed = [];
    /* Each trace's group carries its trace (Plotly binds it); hidden layers have no group. */
    gd.querySelectorAll('.geo g.trace.scattergeo').forEach((group) => {
      const trace = group.__data__?.[0]?.trace;
      if (!trace || trace.name !== 'Labels') return;
      group.querySelectorAll('text').forEach((el, i) => {
        /* Plotly offsets the label through its parent g */
        const holder = el.parentNode;
        const r = Number((trace.customdata || [])[i]?.[0] || 4);
        const fs = parseFloat(el.style.fontSize) || 12;
        el.style.visibility = 'visible';
        el.setAttribute('text-anchor', 'middle');
        holder.setAttribute('transform', 'translate(0,0)');
        const home = el.getBoundingClientRect();
        /* The box's centre with no offset, and how far the baseline sits below it. */
        const cy = home.top + home.height / 2;
        const anchorY = Number(el.getAttribute('transform').match(/,\s*([-\d.e]+)\)/)?.[1] || 0);
        const lift = anchorY - (cy - gd.getBoundingClientRect().top) + (gd.querySelector('.main-svg').getBoundingClientRect().top - gd.getBoundingClientRect().top);
        let shown = false;
        for (const spot of SPOTS) {
          const [dx, dy] = spot(r, fs, home.width);
          holder.setAttribute('transform', `translate(${dx},${dy + lift})`);
          const box = el.getBoundingClientRect();
          if (inside(box, area) && !obstacles.some((o) => overlap(box, o, 1)) && !placed.some((o) => overlap(box, o, 2))) {
            placed.push(box);
            shown = true;
            break;
          }
        }
        el.style.visibility = shown ? 'visible' : 'hidden';
        el.dataset.placed = shown ? 'shown' : 'hidden';
      });
    });
    gd.dataset.labelsPlaced = String(placed.length);
  }

  /* --- at news scale, the cluster layer that suits the zoom ---------------------------------- */
  /* The figure's meta lists its layers (the distance between neighbouring marks, in km); after a */
  /* zoom the finest layer whose marks stand `px` apart is shown, by pressing its button. */
  function chooseLayer(gd) {
    const meta = gd._fullLayout && gd._fullLayout.meta;
    const geo = gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
    if (!meta || !meta.layers || !geo || !geo.projection) return false;
    const proj = geo.projection;
    const centre = proj.invert(proj.translate());
    if (!centre || !isFinite(centre[0])) return false;
    const a = proj(centre);
    const b = proj([centre[0] + 1, centre[1]]);
    const pxPerKm = Math.hypot(b[0] - a[0], b[1] - a[1]) / (111.32 * Math.max(Math.cos(centre[1] * Math.PI / 180), 0.2));
    let chosen = 0;
    meta.layers.forEach((layer, i) => { if (layer.km * pxPerKm >= meta.px) chosen = i; });
    const menu = (gd._fullLayout.updatemenus || []).find((m) => m.name === 'layers');
    gd.dataset.layer = String(chosen);
    if (!menu || menu.active === chosen) return true;
    const label = meta.layers[chosen].label;
    const button = Array.from(gd.querySelectorAll('.updatemenu-button')).find((e) => e.textContent === label);
    if (button) button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    return true;
  }

  /* --- the network's names: the same spots around each node, clear of every marker and name ---- */
  function placeNetworkLabels(gd) {
    const fl = gd._fullLayout;
    if (!fl || !fl.xaxis || !fl.yaxis || !gd._fullData) return;
    const bg = gd.querySelector('.draglayer .nsewdrag') || gd.querySelector('.bglayer rect');
    const svg = gd.querySelector('.main-svg');
    if (!bg || !svg) return;
    const area = bg.getBoundingClientRect();
    const origin = svg.getBoundingClientRect();
    const xa = fl.xaxis, ya = fl.yaxis;
    const obstacles = Array.from(gd.querySelectorAll('g.trace.scatter path.point'))
      .map((e) => e.getBoundingClientRect())
      .filter((b) => b.width > 0);
    const groups = gd.querySelectorAll('g.trace.scatter');
    const placed = [];
    gd._fullData.forEach((trace, k) => {
      if (trace.name !== 'Labels' || !groups[k]) return;
      groups[k].querySelectorAll('g.textpoint text').forEach((el, i) => {
        const holder = el.parentNode;
        const r = Number((trace.customdata || [])[i]?.[0] || 4);
        const fs = parseFloat(el.style.fontSize) || 12;
        const nx = origin.left + xa._offset + xa.l2p(trace.x[i]);
        const ny = origin.top + ya._offset + ya.l2p(trace.y[i]);
        el.style.visibility = 'visible';
        holder.setAttribute('transform', 'translate(0,0)');
        const home = el.getBoundingClientRect();
        const hx = home.left + home.width / 2, hy = home.top + home.height / 2;
        let shown = false;
        for (const spot of SPOTS) {
          const [dx, dy] = spot(r, fs, home.width);
          holder.setAttribute('transform', `translate(${nx + dx - hx},${ny + dy - hy})`);
          const box = el.getBoundingClientRect();
          if (inside(box, area) && !obstacles.some((o) => overlap(box, o, 1)) && !placed.some((o) => overlap(box, o, 2))) {
            placed.push(box);
            shown = true;
            break;
          }
        }
        el.style.visibility = shown ? 'visible' : 'hidden';
        el.dataset.placed = shown ? 'shown' : 'hidden';
      });
    });
    gd.dataset.labelsPlaced = String(placed.length);
  }

  function hook(gd, place) {
    if (gd.__labelsHooked || typeof gd.on !== 'function') return;
    gd.__labelsHooked = true;
    let pending = false;
    const later = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        if (place === placeLabels) {
          /* The first drawing of a map: its layer for this screen (then after each zoom). */
          const layers = JSON.stringify(gd._fullLayout?.meta?.layers || null);
          if (gd.__layersFor !== layers && chooseLayer(gd)) gd.__layersFor = layers;
        }
        place(gd);
      });
    };
    ['plotly_afterplot', 'plotly_relayout', 'plotly_relayouting', 'plotly_redraw'].forEach((e) => gd.on(e, later));
    if (place === placeLabels) gd.on('plotly_relayout', () => requestAnimationFrame(() => chooseLayer(gd)));
    later();
  }

  /* --- a reader's zoom reaches the server (and the link) --------------------------------------- */
  /* After a drag or scroll zoom, the chart's new range goes to the server through the zoom bridge */
  /* (a component that hands it over as a trigger value); the server keeps it, redraws at it, and */
  /* writes it into the URL with the filters, so a later rerun never drops it. */
  function day(value, up) {
    const s = String(value).trim().replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
    const d = new Date(s.length <= 10 ? s + 'T00:00:00Z' : s + 'Z');
    if (isNaN(d)) return null;
    if (up && (d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() || d.getUTCMilliseconds())) {
      d.setUTCDate(d.getUTCDate() + 1);
    }
    return d.toISOString().slice(0, 10);
  }

  /* The map's visible edges (west, south, east, north): the plot area's edges, unprojected. */
  function visibleBox(gd) {
    const sub = gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
    const bg = gd.querySelector('.geo .layer.bg rect');
    if (!sub || !sub.projection || !bg) return null;
    const proj = sub.projection;
    const x = +bg.getAttribute('x') || 0, y = +bg.getAttribute('y') || 0;
    const w = +bg.getAttribute('width'), h = +bg.getAttribute('height');
    if (!w || !h) return null;
    const at = (px, py) => proj.invert([px, py]) || [NaN, NaN];
    const clamp = (v, lo, hi, fallback) => (isFinite(v) ? Math.min(Math.max(v, lo), hi) : fallback);
    const west = clamp(at(x, y + h / 2)[0], -360, 360, -180);
    const east = clamp(at(x + w, y + h / 2)[0], -360, 360, 180);
    const north = clamp(at(x + w / 2, y)[1], -90, 90, 90);
    const south = clamp(at(x + w / 2, y + h)[1], -90, 90, -90);
    if (!(west < east && south < north)) return null;
    return [west, south, east, north];
  }
  window.contactAtlasVisibleBox = visibleBox;

  function reportZoom(gd, chart) {
    const send = window.__caZoomSend;
    const now = window.__caZoomNow || {};
    if (!send || !gd._fullLayout) return;
    if (chart === 'timeline') {
      const r = gd._fullLayout.xaxis && gd._fullLayout.xaxis.range;
      if (!r) return;
      const lo = day(r[0], false), hi = day(r[1], true);
      const was = now.timeline;
      if (!lo || !hi || (was && was[0] === lo && was[1] === hi)) return;
      send({ chart, range: [lo, hi] });
    } else {
      const box = visibleBox(gd);
      const was = now.map;
      if (!box) return;
      if (was) {
        const tol = 0.02 * Math.max(was[2] - was[0], was[3] - was[1], 0.1);
        if (box.every((v, i) => Math.abs(v - was[i]) < tol)) return;
      }
      send({ chart, box });
    }
  }

  function hookZoom(gd, chart) {
    if (gd.__zoomHooked || typeof gd.on !== 'function') return;
    gd.__zoomHooked = true;
    let timer = null;
    gd.on('plotly_relayout', (ev) => {
      const prefix = chart === 'map' ? 'geo' : 'xaxis';
      if (!Object.keys(ev || {}).some((k) => k.startsWith(prefix))) return;
      /* A scroll zoom is many relayouts: report once it settles. */
      clearTimeout(timer);
      timer = setTimeout(() => reportZoom(gd, chart), 300);
    });
  }

  function scan() {
    document.querySelectorAll('.js-plotly-plot').forEach((gd) => {
      const fl = gd._fullLayout;
      if (fl && fl.geo) { hook(gd, placeLabels); hookZoom(gd, 'map'); }
      else if (fl && fl.meta && fl.meta.network) hook(gd, placeNetworkLabels);
      else if (fl && fl.xaxis && fl.xaxis.type === 'date') hookZoom(gd, 'timeline');
      /* The mode bar shows on hover, for the mouse; the buttons above each chart serve the keyboard. */
      gd.querySelectorAll('.modebar-btn, .modebar button, .modebar a').forEach((b) => {
        if (b.getAttribute('tabindex') !== '-1') b.setAttribute('tabindex', '-1');
      });
    });
  }

  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  scan();

  /* --- a skip link, first in the tab order: straight to the list of events ------------------ */
  const skip = document.createElement('a');
  skip.href = '#event-list';
  skip.className = 'ca-skip-link';
  skip.textContent = 'Skip to the list of events';
  skip.addEventListener('click', (e) => {
    e.preventDefault();
    const first = document.querySelector('.st-key-event-list button');
    if (first) first.focus();
  });
  document.body.insertBefore(skip, document.body.firstChild);
  const style = document.createElement('style');
  style.textContent = `.ca-skip-link { position: fixed; left: 8px; top: -60px; z-index: 1000000; padding: 8px 14px;
      background: #fff; color: #0b4f8a; border: 2px solid #0b4f8a; border-radius: 4px; font: 600 15px system-ui; }
    .ca-skip-link:focus { top: 8px; }
    .details-card { scroll-margin-top: 4.5rem; }`;
  document.head.appendChild(style);
})();

/* On a phone the card sits above the article pane: the sentence is brought up to the pane's */
/* top edge on screen, and if it still falls below the window, the page scrolls up as far as the */
/* card's top allows, so the card and the sentence are on screen together. */
function contactAtlasCardAndSentence(card, mark, pane) {
  const margin = 8;
  const top = Math.max(pane.getBoundingClientRect().top, 0);
  let m = mark.getBoundingClientRect();
  if (m.top < top || m.bottom > window.innerHeight) {
    pane.scrollTo({ top: pane.scrollTop + m.top - top - margin, behavior: 'instant' });
    m = mark.getBoundingClientRect();
  }
  const over = m.bottom + margin - window.innerHeight;
  if (over > 0) {
    const scroller = document.querySelector('[data-testid=stMain]');
    const header = document.querySelector('[data-testid=stHeader]');
    const room = card.getBoundingClientRect().top - (header ? header.getBoundingClientRect().bottom : 0) - margin;
    if (scroller && room > 0) scroller.scrollBy({ top: Math.min(over, room), behavior: 'instant' });
  }
}

/* Scroll the article pane (not the page) to the selected sentence; on a narrow screen, where */
/* the views are stacked, bring the details card into view as well. */
window.contactAtlasShow = function (eventId) {
  if (!eventId) return;
  let tries = 0;
  function go() {
    const marks = Array.from(document.querySelectorAll('mark.ev.selected'))
      .filter((m) => (m.dataset.events || '').split(' ').includes(eventId));
    if (!marks.length) { if (tries++ < 40) setTimeout(go, 50); return; }
    const el = marks[0];
    let pane = el.parentElement;
    while (pane && !(pane.scrollHeight > pane.clientHeight + 4 &&
           /(auto|scroll)/.test(getComputedStyle(pane).overflowY))) pane = pane.parentElement;
    if (pane) {
      const delta = el.getBoundingClientRect().top - pane.getBoundingClientRect().top;
      pane.scrollTo({ top: pane.scrollTop + delta - pane.clientHeight / 3, behavior: 'instant' });
      pane.dataset.scrolledTo = eventId;
    }
    const card = document.querySelector('.details-card');
    if (card && window.innerWidth < 640) {
      const box = card.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) card.scrollIntoView({ block: 'start', behavior: 'instant' });
      if (pane) contactAtlasCardAndSentence(card, el, pane);
    }
    document.body.dataset.shown = eventId;
  }
  go();
};
