/*
 * What happens when an htmx request fails, for every page (loaded by base.html).
 *
 * htmx does not swap 4xx/5xx answers, so without this a refused or failed change showed
 * nothing, and an expired session swapped the login page into a table row and lost the input.
 * Here: the answer is never swapped in place of the user's content; a message appears next to
 * the control that sent the request; an expired session keeps the form as typed and offers to
 * log in again in a new tab, after which the same button works (the CSRF token is re-read).
 */
(function () {
  "use strict";

  var MESSAGES = {
    400: "The change was refused: check the values and try again.",
    401: "Your session has expired. Nothing was saved.",
    403: "You are not allowed to do this. Nothing was changed.",
    404: "This item no longer exists. Reload the page to see the current state.",
    409: "Someone else changed this meanwhile. Nothing was saved: reload, then try again.",
    413: "That is too large to send. Nothing was saved.",
    422: "The change was refused: check the values and try again.",
    429: "Too many attempts. Wait a moment and try again.",
  };
  var SERVER_FAILED = "The server could not complete this. Nothing was saved; try again in a moment.";
  var UNREACHABLE = "The server could not be reached. Nothing was saved; check the connection and try again.";

  function csrfFromCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function loginUrl() {
    return document.body.dataset.loginUrl || "/login/";
  }

  function isLoginPage(xhr) {
    if (!xhr || !xhr.responseURL) return false;
    try {
      return new URL(xhr.responseURL).pathname === new URL(loginUrl(), window.location.href).pathname;
    } catch (error) {
      return false;
    }
  }

  // The server's own words when it gave any: a JSON "detail" or an element marked
  // data-error-message in an HTML answer (the 403/404/500 pages carry one).
  function serverMessage(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var text = xhr.responseText || "";
    try {
      if (type.indexOf("application/json") === 0) {
        var body = JSON.parse(text);
        if (body && typeof body.detail === "string") return body.detail;
      } else if (type.indexOf("text/html") === 0 && text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var marked = doc.querySelector("[data-error-message]");
        if (marked && marked.textContent.trim()) return marked.textContent.trim();
      }
    } catch (error) {
      /* an unreadable body: the status's own message below is enough */
    }
    return "";
  }

  // The message goes at the top of the form that sent the request, or right after the control.
  function anchorOf(elt) {
    if (!elt || !elt.isConnected) return null;
    return elt.closest("form") || elt;
  }

  function clear(elt) {
    var anchor = anchorOf(elt);
    if (!anchor) return;
    var old = anchor.tagName === "FORM" ? anchor.querySelector(":scope > .htmx-error") : anchor.nextElementSibling;
    if (old && old.classList.contains("htmx-error")) old.remove();
  }

  function show(elt, parts) {
    clear(elt);
    var note = document.createElement("p");
    note.className = "message message-error htmx-error";
    note.setAttribute("role", "alert");
    parts.forEach(function (part) {
      if (typeof part === "string") {
        note.appendChild(document.createTextNode(part));
      } else {
        note.appendChild(part);
      }
    });
    var anchor = anchorOf(elt);
    if (!anchor) {
      var messages = document.getElementById("htmx-messages");
      messages.appendChild(note);
    } else if (anchor.tagName === "FORM") {
      anchor.prepend(note);
    } else {
      anchor.insertAdjacentElement("afterend", note);
    }
    return note;
  }

  function sessionExpired(elt) {
    var link = document.createElement("a");
    link.href = loginUrl() + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "htmx-login";
    link.textContent = "Log in again in a new tab";
    show(elt, [MESSAGES[401] + " ", link, ", then come back and send it again: what you typed is still here."]);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    // Logging in again (in another tab) rotates the CSRF token: send the current one.
    // Django reads a form's own csrfmiddlewaretoken before the header, so replace both.
    var token = csrfFromCookie();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    var data = event.detail.formData;
    if (data && data.has("csrfmiddlewaretoken")) data.set("csrfmiddlewaretoken", token);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    clear(event.detail.elt);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401 || isLoginPage(xhr)) {
      // The login page followed a redirect: never swap it into the page.
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      sessionExpired(event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt);
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401) return; // handled before the swap
    var elt = event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt;
    var fallback = xhr.status >= 500 ? SERVER_FAILED : MESSAGES[xhr.status] || MESSAGES[400];
    // A refusal's own reason is the better message; a server failure's page says nothing useful.
    var text = xhr.status >= 500 ? "" : serverMessage(xhr);
    show(elt, [text ? text + " Nothing was changed." : fallback]);
  });

  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt, [UNREACHABLE]);
  });

  document.addEventListener("htmx:timeout", function (event) {
    show(event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt, [UNREACHABLE]);
  });
})();
