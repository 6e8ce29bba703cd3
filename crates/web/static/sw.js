// hocvuso service worker: lessons a learner opened stay readable without a connection.
//
// Only course and lesson pages are kept (network first, the copy read when the network fails),
// with the stylesheet, this site's script and the offline page (cache first: their addresses
// carry their content hash), and the pictures and files of published courses those pages show
// (cache first: a stored name never changes its bytes; a draft course's files, served private,
// are not kept). Nothing else is intercepted for storage: pages of people, units,
// accounts and authoring carry personal data and never enter the cache. Signing in or out
// empties the kept pages, which show who was signed in and their progress — a phone is often
// shared in a family.
//
// The server fills in VERSION (the release and a hash of this file and of the assets), so a new
// release installs a new worker whose caches replace the old ones.
'use strict';
const VERSION = '__VERSION__';
const PAGES = 'hocvuso-pages-' + VERSION;
const STATIC = 'hocvuso-static-' + VERSION;
const OFFLINE = '/offline';
const ASSETS = [OFFLINE, '__CSS__', '__JS__'];
// /learn/{course} and /learn/{course}/{lesson}; not the catalogue, the audio or any POST.
const KEPT = /^\/learn\/[^/]+(\/[^/]+)?$/;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(STATIC).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((n) => n.startsWith('hocvuso-') && n !== PAGES && n !== STATIC)
        .map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function forget() {
  return caches.delete(PAGES);
}

function keep(url, res) {
  // Only a whole page as the server meant it: no error, no redirect, no opaque answer.
  if (res.status !== 200 || res.type !== 'basic' || res.redirected) return Promise.resolve();
  return caches.open(PAGES).then((c) => c.put(url, res));
}

function offlinePage() {
  return caches.match(OFFLINE, { cacheName: STATIC, ignoreVary: true })
    .then((r) => r || Response.error());
}

function networkFirst(e) {
  const url = e.request.url;
  return fetch(e.request).then(
    (res) => {
      e.waitUntil(keep(url, res.clone()));
      return res;
    },
    () => caches.match(url, { cacheName: PAGES, ignoreVary: true })
      .then((hit) => hit || offlinePage()),
  );
}

function cacheFirst(e) {
  return caches.match(e.request, { cacheName: STATIC, ignoreVary: true }).then((hit) => hit
    || fetch(e.request).then((res) => {
      if (res.status === 200 && res.type === 'basic') {
        const copy = res.clone();
        e.waitUntil(caches.open(STATIC).then((c) => c.put(e.request, copy)));
      }
      return res;
    }));
}

function keptFile(e) {
  return caches.match(e.request, { cacheName: PAGES, ignoreVary: true }).then((hit) => hit
    || fetch(e.request).then((res) => {
      const open = /\bpublic\b/.test(res.headers.get('Cache-Control') || '');
      if (res.status === 200 && res.type === 'basic' && open) {
        const copy = res.clone();
        e.waitUntil(caches.open(PAGES).then((c) => c.put(e.request, copy)));
      }
      return res;
    }));
}

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method === 'POST' && (url.pathname === '/logout' || url.pathname === '/login')) {
    // The form goes to the server as usual; the kept pages of whoever used the phone go now.
    e.waitUntil(forget());
    return;
  }
  if (req.method !== 'GET') return;
  if (url.pathname.startsWith('/static/')) {
    e.respondWith(cacheFirst(e));
  } else if (url.pathname.startsWith('/media/') && req.mode !== 'navigate') {
    e.respondWith(keptFile(e));
  } else if (req.mode === 'navigate' && KEPT.test(url.pathname)) {
    e.respondWith(networkFirst(e));
  } else if (req.mode === 'navigate') {
    // Any other page is only ever fetched; offline, the offline page says what still works.
    e.respondWith(fetch(req).catch(offlinePage));
  }
});

// A page opened before this worker took charge asks to be kept (see app.js).
self.addEventListener('message', (e) => {
  let url;
  try {
    url = new URL(e.data && e.data.keep);
  } catch (_) {
    return;
  }
  if (url.origin !== self.location.origin || !KEPT.test(url.pathname)) return;
  e.waitUntil(fetch(url.href, { credentials: 'same-origin' })
    .then((res) => keep(url.href, res))
    .catch(() => {}));
});
