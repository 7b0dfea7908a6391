// hwaas: small progressive enhancements on top of htmx. Every flow works without this file.
(function () {
  "use strict";

  // Focus the error summary (or any element marked data-autofocus) when a page or a swap shows one.
  function focusMarked(root) {
    var target = (root || document).querySelector("[data-autofocus]");
    if (target) { target.focus(); }
  }

  // Announce a message in the layout's one live region.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  document.addEventListener("DOMContentLoaded", function () { focusMarked(document); });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.setAttribute("aria-busy", "true"); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) { target.removeAttribute("aria-busy"); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt;
    // A swapped fragment may carry the sentence to announce.
    var message = root.querySelector ? root.querySelector("[data-announce]") : null;
    if (message) { announce(message.getAttribute("data-announce")); }
    else if (root.hasAttribute && root.hasAttribute("data-announce")) { announce(root.getAttribute("data-announce")); }
    focusMarked(root.parentNode || document);
    // Never leave focus on <body> after a swap removed the focused element.
    if (document.activeElement === document.body || document.activeElement === null) {
      var fallback = root.isConnected ? root.querySelector("[data-focus-after-swap]") || root : document.getElementById("main");
      if (fallback && !fallback.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(fallback.tagName)) {
        fallback.setAttribute("tabindex", "-1");
      }
      if (fallback) { fallback.focus(); }
    }
  });

  // Server-sent announcements (HX-Trigger: {"announce": "…"}); the event bubbles to the document.
  document.addEventListener("announce", function (event) { announce(event.detail.value || event.detail); });

  // A flash message belongs to the page it came with: once an htmx swap says something newer,
  // the old one ("Added to the cart.") would only contradict it.
  document.addEventListener("htmx:afterSwap", function () {
    var main = document.getElementById("main");
    Array.prototype.forEach.call(main ? main.querySelectorAll(":scope > .flash, :scope > .request-error") : [],
      function (old) { old.remove(); });
  });

  // A failed htmx request that is not a form error (403 read-only, 404, 409, 5xx, no network):
  // say what happened, where a sighted user looks and to the screen reader, instead of nothing.
  function showRequestError(text) {
    var main = document.getElementById("main");
    if (!main) { return; }
    var box = main.querySelector(":scope > .request-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "flash flash--error request-error";
      box.setAttribute("role", "alert");
      main.insertBefore(box, main.firstChild);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr, text = "";
    try {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var message = page.querySelector("[data-error-message]");
      text = message ? message.textContent.trim() : "";
    } catch (e) { text = ""; }
    showRequestError(text || "That did not work (error " + xhr.status + "). Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError("The server could not be reached. Check your connection and try again.");
  });

  // Session timeout warning: two minutes before the idle timeout, offer to stay signed in.
  var sessionMeta = document.querySelector('meta[name="hwaas-session"]');
  if (sessionMeta) {
    var idleSeconds = parseInt(sessionMeta.getAttribute("content"), 10);
    var warnTimer = null, endTimer = null;
    var csrf = function () {
      try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
    };
    var removeWarning = function () {
      var box = document.getElementById("session-warning");
      if (box) { box.remove(); }
    };
    var showWarning = function () {
      if (document.getElementById("session-warning")) { return; }
      var box = document.createElement("div");
      box.id = "session-warning";
      box.className = "session-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-labelledby", "session-warning-text");
      box.innerHTML = '<p id="session-warning-text">You will be signed out in 2 minutes because nothing happened for a while.</p>' +
        '<button type="button" class="button">Stay signed in</button>';
      box.querySelector("button").addEventListener("click", function () {
        fetch(sessionMeta.getAttribute("data-keepalive"), {
          method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf()}
        }).then(function (r) {
          if (r.ok) { removeWarning(); restart(); announce("You are still signed in."); }
          else { window.location.assign(sessionMeta.getAttribute("data-login")); }
        });
      });
      var main = document.getElementById("main");
      main.insertBefore(box, main.firstChild);
      box.querySelector("button").focus();
    };
    var restart = function () {
      window.clearTimeout(warnTimer); window.clearTimeout(endTimer);
      warnTimer = window.setTimeout(showWarning, Math.max(0, idleSeconds - 120) * 1000);
      endTimer = window.setTimeout(function () { window.location.assign(sessionMeta.getAttribute("data-login")); },
        idleSeconds * 1000 + 2000);
    };
    restart();
    document.addEventListener("htmx:afterRequest", function () { removeWarning(); restart(); });
  }

  // Forms marked data-confirm ask first (the server still validates everything).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

})();
