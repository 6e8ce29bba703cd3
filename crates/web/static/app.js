// hocvuso — progressive enhancement only: every page works without this file.
// It registers the service worker that keeps opened lessons readable offline (/sw.js) and, on
// the offline page, lists the lessons this device still holds.
'use strict';
(function () {
  if (!('serviceWorker' in navigator)) return;
  var sw = navigator.serviceWorker;
  // A page that came from the network before the worker took charge was not kept by it.
  var unkept = !sw.controller;
  sw.register('/sw.js').then(function () { return sw.ready; }).then(function (reg) {
    if (unkept && reg.active) reg.active.postMessage({ keep: location.href });
  }).catch(function () { /* no worker: the site works as before */ });

  var list = document.getElementById('offline-kept');
  if (!list || !window.caches) return;
  var titleOf = function (html) {
    var h1 = new DOMParser().parseFromString(html, 'text/html').querySelector('main h1');
    return h1 ? h1.textContent.trim() : '';
  };
  caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf('hocvuso-pages-') === 0; })
      .map(function (n) {
        return caches.open(n).then(function (c) {
          return c.keys().then(function (reqs) {
            return Promise.all(reqs.map(function (r) {
              return c.match(r).then(function (res) { return res.text(); })
                .then(function (t) { return { url: r.url, title: titleOf(t) }; });
            }));
          });
        });
      }));
  }).then(function (groups) {
    var kept = [].concat.apply([], groups).filter(function (k) { return k.title; });
    kept.sort(function (a, b) { return a.url < b.url ? -1 : 1; });
    kept.forEach(function (k) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = k.url;
      a.textContent = k.title;
      li.appendChild(a);
      list.appendChild(li);
    });
    if (kept.length) document.getElementById('offline-kept-section').hidden = false;
  }).catch(function () { /* the sentence above the list still holds */ });
})();
