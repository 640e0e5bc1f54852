// Portfolio Kanban: drag a card to another column, or focus a card and press Enter to open the
// board's one move dialog; either way the move is posted to the epic's move view, the same one
// the epic page's form posts to (so the page works without JavaScript too). The server answers with
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

  // A card's key is its id without "card-" (the board keeps per-card markup small).
  function keyOf(card) {
    return card.id.slice("card-".length);
  }

  function moveUrl(card) {
    var board = document.getElementById("board");
    return board.dataset.epicUrl + encodeURIComponent(keyOf(card)) + "/move/";
  }

  function move(card, from, toState) {
    var board = document.getElementById("board");
    var reason = "";
    if (isBackward(from, toState) || toState === "not_pursued") {
      reason = window.prompt("Why move " + keyOf(card) + " back (or stop it)?") || "";
    }
    var body = new FormData();
    body.append("to_state", toState);
    body.append("version", card.dataset.version);
    body.append("reason", reason);
    body.append("query", board ? board.dataset.query || "" : "");
    board.classList.add("htmx-request");
    return fetch(moveUrl(card), {
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

  // Keyboard moves: Enter (or Space) on a card you may move opens the dialog with its states;
  // the dialog's form posts like the epic page's form (the view redirects back to the board).
  function openDialog(card) {
    var dialog = document.getElementById("move-dialog");
    if (!dialog) return;
    var form = dialog.querySelector("form");
    var from = card.closest("ol.kanban-cards").dataset.state;
    form.action = moveUrl(card);
    form.elements.version.value = card.dataset.version;
    document.getElementById("move-dialog-key").textContent = keyOf(card);
    Array.prototype.forEach.call(form.elements.to_state.options, function (option) {
      option.disabled = option.value === from;
    });
    var first = Array.prototype.find.call(form.elements.to_state.options, function (o) { return !o.disabled; });
    form.elements.to_state.value = first ? first.value : "";
    dialog.showModal();
  }

  document.addEventListener("keydown", function (evt) {
    var card = evt.target;
    if ((evt.key === "Enter" || evt.key === " ") && card.matches && card.matches(".kanban-card[tabindex]")) {
      evt.preventDefault();
      openDialog(card);
    }
  });
  document.addEventListener("click", function (evt) {
    if (evt.target && evt.target.id === "move-dialog-cancel") document.getElementById("move-dialog").close();
  });

  function init() {
    if (typeof window.Sortable === "undefined") return;
    var board = document.getElementById("board");
    if (!board) return;
    board.querySelectorAll("ol.kanban-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "kanban",
        animation: 120,
        draggable: ".kanban-card",
        onEnd: function (evt) {
          if (evt.from === evt.to) return;
          move(evt.item, evt.from.dataset.state, evt.to.dataset.state);
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
