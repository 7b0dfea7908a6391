// hwaas inside a portal's frame: tell the parent page how tall we are, so its iframe can fit us.
// The message goes only to the parent's origin, and only if that origin is on the server's list
// (HWAAS_FRAME_ANCESTORS, rendered in <meta name="hwaas-parent-origins">); never to "*".
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var meta = document.querySelector('meta[name="hwaas-parent-origins"]');
  var allowed = meta ? meta.getAttribute("content").split(/\s+/).filter(Boolean) : [];

  // Chromium and WebKit name the parent's origin in ancestorOrigins; elsewhere the referrer of the
  // frame's first page is the parent. After that, the origin is remembered for this frame's tab.
  function parentOrigins() {
    var known = null;
    try { known = window.sessionStorage.getItem("hwaas:parent-origin"); } catch (e) { known = null; }
    var found = null;
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      found = window.location.ancestorOrigins[0];
    } else if (known) {
      found = known;
    } else if (document.referrer) {
      try { found = new URL(document.referrer).origin; } catch (e) { found = null; }
    }
    if (found && allowed.indexOf(found) !== -1) {
      try { window.sessionStorage.setItem("hwaas:parent-origin", found); } catch (e) { /* storage off */ }
      return [found];
    }
    return [];
  }

  var targets = parentOrigins();
  var lastHeight = -1;
  var pending = false;

  function measure() {
    var body = document.body;
    var style = window.getComputedStyle(body);
    return Math.ceil(body.getBoundingClientRect().height +
                     parseFloat(style.marginTop || "0") + parseFloat(style.marginBottom || "0"));
  }

  function postHeight() {
    pending = false;
    var height = measure();
    if (height === lastHeight) { return; }
    lastHeight = height;
    targets.forEach(function (origin) {
      window.parent.postMessage({ type: "hwaas:height", height: height }, origin);
    });
  }

  // Coalesce bursts (a swap, then the resize it caused) into one message.
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.setTimeout(postHeight, 30);
  }

  if (!targets.length) { return; }
  window.addEventListener("load", schedule);
  window.addEventListener("resize", schedule);
  document.addEventListener("htmx:afterSettle", schedule);
  if (window.ResizeObserver) { new window.ResizeObserver(schedule).observe(document.body); }
  schedule();
})();
