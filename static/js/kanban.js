// Portfolio Kanban: drag a card to another column and the move is posted to the same view the
// card's own form posts to (so the page works without JavaScript too). The server answers with
// the re-rendered board (the htmx partial), which replaces the old one whatever the outcome:
// a refused or stale move comes back with the card where it was and the reasons listed.
(function () {
  "use strict";

  // The forward order of the columns comes from the server (data-flow on the board).
  function flow() {
    var board = document.getElementById("board");
    return board && board.dataset.flow ? board.dataset.flow.split(",") : [];
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function isBackward(from, to) {
    if (to === "not_pursued") return false;
    if (from === "not_pursued") return true;
    var order = flow();
    return order.indexOf(to) < order.indexOf(from);
  }

  function move(card, toState) {
    var board = document.getElementById("board");
    var from = card.dataset.state;
    var reason = "";
    if (isBackward(from, toState) || toState === "not_pursued") {
      reason = window.prompt("Why move " + card.dataset.key + " back (or stop it)?") || "";
    }
    var body = new FormData();
    body.append("to_state", toState);
    body.append("version", card.dataset.version);
    body.append("reason", reason);
    body.append("query", board ? board.dataset.query || "" : "");
    board.classList.add("htmx-request");
    return fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    })
      .then(function (response) { return response.text(); })
      .then(function (html) { replaceBoard(html); })
      .catch(function () { window.location.reload(); });
  }

  function replaceBoard(html) {
    var board = document.getElementById("board");
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#board");
    if (!fresh) {
      window.location.reload();
      return;
    }
    board.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    init();
  }

  function init() {
    if (typeof window.Sortable === "undefined") return;
    var board = document.getElementById("board");
    if (!board) return;
    board.querySelectorAll("ol.kanban-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "kanban",
        animation: 120,
        draggable: ".kanban-card",
        filter: "form, input, select, button, summary",
        preventOnFilter: false,
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          move(evt.item, evt.to.dataset.state);
        },
      });
    });
    board.dataset.ready = "true";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
