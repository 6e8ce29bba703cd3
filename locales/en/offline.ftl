# Reading without a connection (service worker, offline page).
offline-title = You are offline
offline-lead = The server cannot be reached, and this page has not been saved on your device.
offline-kept = Lessons you opened on this device can still be read without a connection.
offline-kept-title = Lessons you can read offline
offline-again = When you are back online, reload the page.
