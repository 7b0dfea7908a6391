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

  // Server-sent announcements (HX-Trigger: {"announce": "…"}).
  document.body && document.body.addEventListener("announce", function (event) { announce(event.detail.value); });
  document.addEventListener("announce", function (event) { announce(event.detail.value || event.detail); });

  // Forms marked data-confirm ask first (the server still validates everything).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // Auto-submit controls (e.g. the Duration radios) for users with JS; a submit button stays for others.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.form && el.hasAttribute("data-autosubmit") && !el.hasAttribute("hx-get") && !el.hasAttribute("hx-post")) {
      el.form.requestSubmit();
    }
  });
})();
