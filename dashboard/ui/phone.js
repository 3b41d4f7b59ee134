/* Every page's script for narrow screens: installed once per browser tab, idempotent across reruns. */
/* It only closes the sidebar the reader has finished with; it reads no data and sends nothing. */
(function () {
  if (window.__contactAtlasPhone) return;
  window.__contactAtlasPhone = true;

  /* --- a choice in the sidebar closes it where it covers the page -------------------------- */
  /* Every filter lives in the query string, so a choice is a new query string once the server */
  /* has run. Where the sidebar lies over the page (Streamlit's own narrow layout), its own */
  /* collapse button is pressed then; where it sits beside the page, it stays open. */
  function sidebarCoversPage() {
    const bar = document.querySelector('[data-testid=stSidebar]');
    const main = document.querySelector('[data-testid=stMain]');
    if (!bar || !main) return false;
    const b = bar.getBoundingClientRect();
    return b.width > 0 && b.right > 0 && main.getBoundingClientRect().left < b.right - 1;
  }

  function closeSidebar() {
    const button = document.querySelector('[data-testid=stSidebarCollapseButton] button');
    if (!button || button.getAttribute('aria-expanded') === 'false' || !sidebarCoversPage()) return;
    button.click();
    document.body.dataset.sidebarClosedFor = location.search;
  }

  let search = location.search;
  function queryChanged() {
    if (location.search === search) return;
    search = location.search;
    /* After Streamlit's own handling of the same change (a page switch closes it by itself). */
    requestAnimationFrame(closeSidebar);
  }
  ['pushState', 'replaceState'].forEach((name) => {
    const original = history[name];
    history[name] = function (...args) {
      const out = original.apply(this, args);
      queryChanged();
      return out;
    };
  });
  window.addEventListener('popstate', () => { search = location.search; });

  /* --- a date typed in full is taken at once ------------------------------------------------- */
  /* Focusing a date field opens its calendar below it, over the next widgets, and a typed date */
  /* is taken only when the field loses focus: the reader's next tap would land on the calendar. */
  /* Once year, month and day are typed (the field's own hidden date input then holds the date), */
  /* the calendar's button closes it, as a reader would: the date is taken, the sidebar closes */
  /* with the choice, and the next tap reaches what it is aimed at. */
  function calendarOpen() {
    return !!document.querySelector('[data-testid=stDateInputCalendar]');
  }
  document.addEventListener('keyup', (event) => {
    const field = event.target.closest && event.target.closest('[data-testid=stDateInputField]');
    if (!field || event.key === 'Tab' || event.key === 'Shift') return;
    requestAnimationFrame(() => {
      const widget = field.closest('[data-testid=stDateInput]') || field;
      const typed = widget.querySelector('input[type=date]');
      const button = widget.querySelector('[data-testid=stDateInputCalendarButton]');
      if (!typed || !typed.value || !button || !calendarOpen() || !sidebarCoversPage()) return;
      /* The first press hands the open calendar to the button, the second closes it. */
      button.click();
      requestAnimationFrame(() => { if (calendarOpen()) button.click(); });
    });
  }, true);
})();
