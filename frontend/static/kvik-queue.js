// Keeps the Kvik queue current while the page is open: every 30 seconds the queue
// section is fetched again and swapped in, unless the visitator is typing (a
// focused or changed field), so a half-typed walk-in is never wiped. Without
// JavaScript the page has an "Opdatér nu" link.
(function () {
  'use strict';
  var INTERVAL = 30000;
  var dirty = false;
  document.addEventListener('input', function () { dirty = true; });
  document.addEventListener('submit', function () { dirty = false; });

  function busy() {
    var active = document.activeElement;
    return dirty || (active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName));
  }

  function refresh() {
    if (busy() || document.hidden) { return; }
    fetch(window.location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html || busy()) { return; }
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('kvik-queue');
        var current = document.getElementById('kvik-queue');
        if (fresh && current) { current.replaceWith(fresh); }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  window.setInterval(refresh, INTERVAL);
}());
