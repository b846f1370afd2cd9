// The driver's page: completions go to the JSON API; without a connection they
// are kept in localStorage and sent when the phone is online again (on the
// `online` event and on every page load). The page itself stays readable
// offline through the service worker at /driver/sw.js.
(function () {
  'use strict';

  var QUEUE = 'depot-driver-queue';
  var SAVED = 'Gemt – sendes når der er forbindelse';
  var csrfTag = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfTag ? csrfTag.getAttribute('content') : '';
  var flushing = false;

  function load() {
    try {
      var list = JSON.parse(window.localStorage.getItem(QUEUE) || '[]');
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }

  function save(list) {
    try {
      window.localStorage.setItem(QUEUE, JSON.stringify(list));
    } catch (e) {
      say('Telefonen kunne ikke gemme meldingen. Prøv igen.');
    }
  }

  function say(text) {
    var box = document.getElementById('driver-status');
    if (box) box.textContent = text;
  }

  function card(stopId) {
    return document.getElementById('stop-' + stopId);
  }

  function show(stopId, text, state) {
    var c = card(stopId);
    if (!c) return;
    c.classList.remove('stop-queued', 'stop-error');
    if (state) c.classList.add(state);
    var result = c.querySelector('[data-role="result"]');
    if (result) result.textContent = text;
  }

  function close(stopId, failed) {
    var c = card(stopId);
    if (!c) return;
    c.classList.add(failed ? 'stop-failed' : 'stop-done');
    // The focused button is about to be hidden: keep a keyboard user's place on the
    // stop's result instead of losing focus to the top of the page.
    var result = c.querySelector('[data-role="result"]');
    if (result && c.contains(document.activeElement)) {
      result.setAttribute('tabindex', '-1');
      result.focus();
    }
    var parts = c.querySelectorAll('form.stop-form, details.stop-fail, .alert');
    for (var i = 0; i < parts.length; i++) parts[i].hidden = true;
  }

  function label(body) {
    if (body.outcome === 'delivered') return 'Leveret: modtaget af ' + body.receiver_name;
    return 'Ikke leveret';
  }

  function bodyOf(form) {
    var data = new FormData(form);
    var text = function (name) {
      var v = data.get(name);
      return v === null ? '' : String(v).trim();
    };
    return {
      outcome: text('outcome'),
      receiver_name: text('receiver_name') || null,
      note: text('note') || null,
      failure_reason: text('failure_reason') || null,
    };
  }

  // The same checks as the server, so a completion queued offline is sendable.
  function problem(body) {
    if (body.outcome === 'delivered' && !body.receiver_name) return 'Skriv navnet på den, der tog imod.';
    if (body.outcome === 'failed' && !body.failure_reason) return 'Vælg hvorfor stoppet ikke blev leveret.';
    if (body.outcome === 'failed' && body.failure_reason === 'other' && !body.note) {
      return 'Skriv hvad der skete, når årsagen er «Andet».';
    }
    return '';
  }

  function send(item) {
    return fetch('/api/v1/stops/' + item.stopId + '/complete', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(item.body),
    });
  }

  function messageOf(response) {
    return response.json().then(function (json) {
      var fields = json && json.fields ? Object.keys(json.fields).map(function (k) { return json.fields[k].join(' '); }) : [];
      return fields.length ? fields.join(' ') : (json && json.message) || 'Stoppet kunne ikke meldes.';
    }, function () { return 'Stoppet kunne ikke meldes.'; });
  }

  // Refreshes the service worker's copy of the page after a change.
  function refreshCopy() {
    fetch(window.location.href, { credentials: 'same-origin' }).catch(function () { return undefined; });
  }

  function queue(item) {
    var list = load().filter(function (q) { return q.stopId !== item.stopId; });
    list.push(item);
    save(list);
    close(item.stopId, item.body.outcome === 'failed');
    show(item.stopId, SAVED + ' (' + label(item.body) + ')', 'stop-queued');
    say(list.length + ' melding(er) venter på forbindelse.');
  }

  // Answers: ok → done; 401 → keep (log in again); other 4xx → drop and say why.
  function handle(item, response) {
    if (response.ok) {
      show(item.stopId, label(item.body) + ' – sendt', '');
      close(item.stopId, item.body.outcome === 'failed');
      return Promise.resolve('sent');
    }
    if (response.status === 401) {
      say('Du er logget ud. Log ind igen; meldingerne er gemt.');
      return Promise.resolve('keep');
    }
    return messageOf(response).then(function (text) {
      show(item.stopId, text, 'stop-error');
      return 'drop';
    });
  }

  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    var list = load();
    if (!list.length) return Promise.resolve();
    flushing = true;
    say('Sender ' + list.length + ' gemt(e) melding(er) …');
    var left = [];
    var chain = Promise.resolve(false);
    list.forEach(function (item) {
      chain = chain.then(function (stopped) {
        if (stopped) { left.push(item); return true; }
        return send(item).then(function (response) {
          return handle(item, response).then(function (what) {
            if (what === 'keep') { left.push(item); return true; }
            return false;
          });
        }, function () { left.push(item); return true; });
      });
    });
    return chain.then(function () {
      save(left);
      flushing = false;
      say(left.length ? left.length + ' melding(er) venter på forbindelse.' : 'Alle meldinger er sendt.');
      if (left.length < list.length) refreshCopy();
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains('stop-form')) return;
    event.preventDefault();
    var item = { stopId: form.getAttribute('data-stop-id'), body: bodyOf(form), at: new Date().toISOString() };
    var wrong = problem(item.body);
    if (wrong) {
      show(item.stopId, wrong, 'stop-error');
      return;
    }
    if (!navigator.onLine) {
      queue(item);
      return;
    }
    show(item.stopId, 'Sender …', '');
    send(item).then(function (response) {
      return handle(item, response).then(function (what) {
        if (what === 'keep') queue(item);
        else if (what === 'sent') refreshCopy();
      });
    }, function () {
      queue(item);
    });
  }

  function markQueued() {
    load().forEach(function (item) {
      close(item.stopId, item.body.outcome === 'failed');
      show(item.stopId, SAVED + ' (' + label(item.body) + ')', 'stop-queued');
    });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form && form.getAttribute('action') === '/logout' && window.caches) {
      // Personal data leaves the phone's cache at logout (the queue stays).
      window.caches.keys().then(function (keys) {
        keys.filter(function (k) { return k.indexOf('depot-driver-') === 0; }).forEach(function (k) { window.caches.delete(k); });
      });
      return;
    }
    onSubmit(event);
  });
  window.addEventListener('online', function () { flush(); });
  window.addEventListener('offline', function () { say('Ingen forbindelse. Meldinger gemmes og sendes senere.'); });

  markQueued();
  flush();

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/driver/sw.js', { scope: '/driver' }).catch(function () { return undefined; });
  }
}());
