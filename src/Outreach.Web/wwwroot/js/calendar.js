// Sessions calendar (FullCalendar). Kept out of the page so the Content-Security-Policy needs no inline script.
document.addEventListener('DOMContentLoaded', function () {
  var element = document.getElementById('calendar');
  if (!element || !window.FullCalendar) { return; }
  var calendar = new FullCalendar.Calendar(element, {
    // Events arrive as UK wall-clock times; "UTC" shows them unchanged whatever the browser's zone.
    timeZone: 'UTC',
    locale: 'en-gb',
    firstDay: 1,
    initialView: window.matchMedia('(max-width: 576px)').matches ? 'listWeek' : 'timeGridWeek',
    headerToolbar: { left: 'prev,next today', center: 'title', right: 'dayGridMonth,timeGridWeek,listWeek' },
    // Words, not icon fonts: the chevron icons are role="img" with no text, so screen readers announced nothing.
    buttonIcons: false,
    buttonText: { prev: 'Previous', next: 'Next', today: 'Today', month: 'Month', week: 'Week', list: 'List' },
    // The whole day: A&E nights run past midnight.
    slotMinTime: '00:00:00',
    scrollTime: '08:00:00',
    nowIndicator: false,
    allDaySlot: false,
    height: 'auto',
    events: { url: element.dataset.eventsUrl },
    // The site gives at most data-max-events sessions for a period: say so when a period reached that many.
    eventSourceSuccess: function (content) {
      var limit = document.getElementById('calendar-limit');
      if (limit) { limit.hidden = content.length < Number(element.dataset.maxEvents); }
      return content;
    },
    eventTimeFormat: { hour: '2-digit', minute: '2-digit', hour12: false },
    // A month cell is labelled by its day number alone, which hides the sessions listed in it from its
    // accessible name; without the label the cell is named by everything it shows.
    dayCellDidMount: function (info) { info.el.removeAttribute('aria-labelledby'); }
  });
  calendar.render();
});
