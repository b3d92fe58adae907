/* The dashboard's figures, kept current: the page has them as read when it was made; this
   listens to /workspace/dashboard/stream (server-sent events) and writes each event's new
   figures into its card. Served by the app itself, so the Content-Security-Policy allows it. */
(function () {
  "use strict";
  var list = document.querySelector("[data-figures-stream]");
  if (!list || !window.EventSource) {
    return;
  }
  var status = document.querySelector("[data-figures-status]");
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "nb");
  var source = new EventSource(list.getAttribute("data-figures-stream"));
  source.addEventListener("figures", function (message) {
    var figures = JSON.parse(message.data);
    var cards = list.querySelectorAll("[data-event-id]");
    for (var i = 0; i < cards.length; i += 1) {
      if (cards[i].getAttribute("data-event-id") !== figures.event_id) {
        continue;
      }
      var cells = cards[i].querySelectorAll("[data-figure]");
      for (var j = 0; j < cells.length; j += 1) {
        var value = figures[cells[j].getAttribute("data-figure")];
        if (typeof value === "number") {
          cells[j].textContent = numbers.format(value);
        }
      }
      if (status) {
        status.textContent = status
          .getAttribute("data-message")
          .replace("%(event)s", cards[i].getAttribute("data-title"));
      }
    }
  });
})();
