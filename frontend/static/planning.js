// Progress while the day is planned. The planner searches for exactly its time
// budget (known before it starts, from the number of stops), so the bar fills over
// that time and waits at 95 % for the answer. Without JavaScript the form posts
// as usual and the hint beside the button tells how long it takes.
(function () {
  'use strict';
  var form = document.getElementById('plan-form');
  var box = document.getElementById('plan-progress');
  if (!form || !box) { return; }
  form.addEventListener('submit', function () {
    var millis = parseInt(form.getAttribute('data-millis'), 10) || 1000;
    var bar = box.querySelector('progress');
    var button = form.querySelector('button[type="submit"]');
    var started = Date.now();
    box.hidden = false;
    if (button) {
      // After this event the post is on its way; a second click would plan twice.
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
    var timer = window.setInterval(function () {
      var done = Math.min(95, Math.round(100 * (Date.now() - started) / millis));
      bar.value = done;
      bar.textContent = done + ' %';
      if (done >= 95) { window.clearInterval(timer); }
    }, 100);
  });
}());
