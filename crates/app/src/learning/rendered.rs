//! Lesson HTML already rendered. Turning a lesson's Markdown into sanitised HTML is a pure function
//! of the Markdown and of the course's files it shows (the [`Shelf`]), and every learner of a
//! lesson asks for the same text: the result is kept, keyed on those inputs themselves, never on a
//! lesson's id or version. A new version, an edited text or a new file on the shelf is a different
//! key, so stale HTML cannot be served; the old entry ages out.
//!
//! Bounded twice: by entries and by bytes (the Markdown, the shelf's names and the HTML of each
//! entry counted), the least recently used entry going first. A text too large for an eighth of
//! the byte budget is rendered every time rather than kept.

use hocvuso_core::learning::media::Shelf;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::Mutex;

/// Entries kept at most: a province's catalogue (hundreds of lessons, a few languages each).
pub const MAX_ENTRIES: usize = 1024;
/// Bytes kept at most (Markdown and HTML of a lesson are a few KB each).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

pub struct Rendered {
    inner: Mutex<Inner>,
    /// Keyed hashing (random per process): a text made to collide costs its author a render, and
    /// an entry is only used when its Markdown and shelf are equal to the ones asked for.
    hasher: std::collections::hash_map::RandomState,
    max_entries: usize,
    max_bytes: usize,
}

struct Entry {
    md: String,
    shelf: Shelf,
    html: String,
    /// When it was last used (a position in `Inner::order`).
    tick: u64,
    cost: usize,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<u64, Entry>,
    /// Last use → the entry's key: the first is the least recently used.
    order: BTreeMap<u64, u64>,
    tick: u64,
    bytes: usize,
    hits: u64,
    misses: u64,
}

/// How the cache has served so far (for tests and the benchmark's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub entries: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

impl Default for Rendered {
    fn default() -> Self {
        Rendered::new(MAX_ENTRIES, MAX_BYTES)
    }
}

fn cost(md: &str, shelf: &Shelf, html: &str) -> usize {
    // The shelf's own size is small beside the text: its entries are counted at a flat 128 bytes.
    md.len() + html.len() + shelf.len() * 128 + std::mem::size_of::<Entry>()
}

impl Rendered {
    pub fn new(max_entries: usize, max_bytes: usize) -> Rendered {
        Rendered {
            inner: Mutex::new(Inner::default()),
            hasher: Default::default(),
            max_entries,
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Every change below leaves the maps consistent before anything can panic.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The HTML of `md` rendered against `shelf`: kept from an earlier call with the same inputs,
    /// else made by `render` (outside the lock) and kept.
    pub fn get_or_render(&self, md: &str, shelf: &Shelf, render: impl FnOnce() -> String) -> String {
        let key = self.hasher.hash_one((md, shelf));
        {
            let mut inner = self.lock();
            inner.tick += 1;
            let tick = inner.tick;
            let hit = match inner.entries.get_mut(&key) {
                Some(e) if e.md == md && e.shelf == *shelf => {
                    let old = std::mem::replace(&mut e.tick, tick);
                    Some((old, e.html.clone()))
                }
                _ => None,
            };
            if let Some((old, html)) = hit {
                inner.order.remove(&old);
                inner.order.insert(tick, key);
                inner.hits += 1;
                return html;
            }
            inner.misses += 1;
        }
        let html = render();
        let cost = cost(md, shelf, &html);
        if cost > self.max_bytes / 8 || self.max_entries == 0 {
            return html;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        if let Some(old) = inner.entries.remove(&key) {
            // Another request rendered it meanwhile, or a different text with the same hash.
            inner.order.remove(&old.tick);
            inner.bytes -= old.cost;
        }
        while inner.entries.len() >= self.max_entries || inner.bytes + cost > self.max_bytes {
            let Some((_, oldest)) = inner.order.pop_first() else {
                break;
            };
            if let Some(e) = inner.entries.remove(&oldest) {
                inner.bytes -= e.cost;
            }
        }
        inner.order.insert(tick, key);
        inner.bytes += cost;
        inner.entries.insert(
            key,
            Entry {
                md: md.to_string(),
                shelf: shelf.clone(),
                html: html.clone(),
                tick,
                cost,
            },
        );
        html
    }

    pub fn stats(&self) -> Stats {
        let inner = self.lock();
        Stats {
            entries: inner.entries.len(),
            bytes: inner.bytes,
            hits: inner.hits,
            misses: inner.misses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hocvuso_core::learning::markdown;
    use hocvuso_core::learning::media::{MediaKind, Shelved};

    fn render(r: &Rendered, md: &str, shelf: &Shelf) -> (String, bool) {
        let mut rendered = false;
        let html = r.get_or_render(md, shelf, || {
            rendered = true;
            markdown::render_with(md, shelf)
        });
        (html, rendered)
    }

    #[test]
    fn the_same_text_is_rendered_once_and_a_changed_one_again() {
        let r = Rendered::default();
        let empty = Shelf::empty();
        let (a, made) = render(&r, "Bài **một**", &empty);
        assert!(made);
        assert_eq!(a, markdown::render("Bài **một**"));
        let (again, made) = render(&r, "Bài **một**", &empty);
        assert!(!made, "the same Markdown is served from the cache");
        assert_eq!(again, a);
        // A new version of the lesson is new text: rendered, never the old HTML.
        let (b, made) = render(&r, "Bài **hai**", &empty);
        assert!(made);
        assert_eq!(b, markdown::render("Bài **hai**"));
        assert_ne!(a, b);
        assert_eq!(r.stats().hits, 1);
        assert_eq!(r.stats().misses, 2);
    }

    #[test]
    fn the_shelf_is_part_of_the_key() {
        let r = Rendered::default();
        let md = "![Ảnh màn hình](media/anh.jpg)";
        let none = Shelf::new("/media/khoa/");
        let with = Shelf::new("/media/khoa/").with(
            "anh.jpg",
            Shelved {
                kind: MediaKind::Image,
                width: 1280,
                height: 720,
                bytes: 10_000,
            },
        );
        let (without_file, _) = render(&r, md, &none);
        let (with_file, made) = render(&r, md, &with);
        assert!(made, "a file added to the course renders the text again");
        assert_eq!(with_file, markdown::render_with(md, &with));
        assert_eq!(without_file, markdown::render_with(md, &none));
        assert_ne!(with_file, without_file);
        assert!(with_file.contains("<img"), "{with_file}");
    }

    #[test]
    fn bounded_by_entries_least_recently_used_first() {
        let r = Rendered::new(3, MAX_BYTES);
        let empty = Shelf::empty();
        for md in ["một", "hai", "ba"] {
            render(&r, md, &empty);
        }
        // "một" used again: "hai" is now the least recently used.
        assert!(!render(&r, "một", &empty).1);
        render(&r, "bốn", &empty);
        assert_eq!(r.stats().entries, 3);
        assert!(!render(&r, "một", &empty).1, "kept: used recently");
        assert!(!render(&r, "ba", &empty).1, "kept");
        assert!(!render(&r, "bốn", &empty).1, "kept: the newest");
        assert!(render(&r, "hai", &empty).1, "evicted: the least recently used");
    }

    #[test]
    fn bounded_by_bytes() {
        let empty = Shelf::empty();
        let text = |i: usize| format!("{i} {}", "chữ ".repeat(200));
        let one = cost(&text(0), &empty, &markdown::render(&text(0)));
        let r = Rendered::new(1000, one * 8 + one / 2);
        for i in 0..20 {
            render(&r, &text(i), &empty);
        }
        let s = r.stats();
        assert!(s.bytes <= one * 8 + one / 2, "{s:?}");
        assert_eq!(s.entries, 8, "{s:?}");
        assert!(!render(&r, &text(19), &empty).1, "the newest is kept");
        assert!(render(&r, &text(0), &empty).1, "the oldest went first");
        // A text over an eighth of the budget is rendered and not kept.
        let big = "chữ ".repeat(one);
        assert!(render(&r, &big, &empty).1);
        assert!(render(&r, &big, &empty).1, "never kept");
    }
}
