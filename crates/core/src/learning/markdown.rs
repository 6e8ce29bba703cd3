//! Lesson Markdown (CommonMark, no extensions) to safe HTML, and to plain text.
//!
//! The HTML is safe to put in a page whatever the Markdown says: raw HTML, block or inline, is
//! dropped (lesson files with raw HTML are refused on import, see [`problems`]); an image is shown
//! only when it is one of the course's own ([`render_with`] and its [`Shelf`]), otherwise as its
//! description; a link keeps its `href` only when
//! it is `http`, `https`, `mailto`, `tel` or a relative or fragment address, spelled plainly (no
//! white space or control character anywhere in it, no backslash, not `//host`), and otherwise
//! becomes its text. External links carry `rel="noopener noreferrer"`. A lesson's sections start
//! at `##`; headings are shifted so that nothing is an `<h1>` (the page's title is).

use super::media::{DownloadKind, MEDIA_DIR, MediaKind, PHONE_WIDTH, Shelf, Shelved};
use crate::i18n::Message;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};

/// CommonMark only: no tables, footnotes, heading attributes or other extensions, so nothing
/// beyond what content/README.md allows reaches the page.
fn parser(md: &str) -> Parser<'_> {
    Parser::new_ext(md, Options::empty())
}

/// Where a link may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// http(s): another site; gets `rel="noopener noreferrer"`.
    External,
    /// mailto:, tel:.
    Contact,
    /// A path or a fragment on this site.
    Relative,
}

/// Classifies a link destination as the parser decoded it (entities and backslash escapes
/// already resolved, so `&#106;avascript:` arrives here as `javascript:`); `None` when it must not
/// become a link.
fn target(url: &str) -> Option<Target> {
    // Browsers drop tabs and line breaks inside URLs and trim control characters and spaces
    // around them ("java\tscript:"); backslashes count as slashes ("/\evil.example").
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return None;
    }
    // "//host/path" leaves the site while looking relative.
    if url.starts_with("//") {
        return None;
    }
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    match url[..end].find(':') {
        None => Some(Target::Relative),
        Some(colon) => match url[..colon].to_ascii_lowercase().as_str() {
            "http" | "https" => Some(Target::External),
            "mailto" | "tel" => Some(Target::Contact),
            _ => None,
        },
    }
}

/// The `href` a link gets, or `None` when it is shown as text.
fn href(link_type: LinkType, dest: &str) -> Option<(String, Target)> {
    let url = match link_type {
        LinkType::Email => format!("mailto:{dest}"),
        _ => dest.to_string(),
    };
    let target = target(&url)?;
    Some((url, target))
}

/// Escapes for a double-quoted attribute value.
fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

fn anchor(url: &str, title: &str, target: Target) -> String {
    let mut a = String::from("<a href=\"");
    escape_attr(url, &mut a);
    a.push('"');
    if !title.is_empty() {
        a.push_str(" title=\"");
        escape_attr(title, &mut a);
        a.push('"');
    }
    if target == Target::External {
        a.push_str(" rel=\"noopener noreferrer\"");
    }
    a.push('>');
    a
}

fn shifted(level: HeadingLevel, shift: usize) -> HeadingLevel {
    HeadingLevel::try_from((level as usize + shift).min(6)).unwrap_or(HeadingLevel::H6)
}

/// Safe HTML of a lesson body that shows no course files.
pub fn render(md: &str) -> String {
    render_with(md, &Shelf::empty())
}

/// "PDF, 120 KB": what a download link says about its file, the same in every language.
fn file_label(kind: DownloadKind, bytes: u64) -> String {
    let name = match kind {
        DownloadKind::Pdf => "PDF",
        DownloadKind::Docx => "Word",
        DownloadKind::Xlsx => "Excel",
        DownloadKind::Pptx => "PowerPoint",
        DownloadKind::Text => "TXT",
    };
    const MIB: u64 = 1024 * 1024;
    if bytes < MIB {
        format!("{name}, {} KB", bytes.div_ceil(1024).max(1))
    } else {
        format!("{name}, {} MB", (bytes + MIB / 2) / MIB)
    }
}

/// An image of the course, at the phone's width unless the screen asks for more; lazily loaded,
/// with its room kept so the text does not jump when it arrives.
fn img(shelf: &Shelf, name: &str, item: &Shelved, alt: &str) -> String {
    let phone_width = item.width.min(PHONE_WIDTH);
    let mut tag = String::from("<img src=\"");
    escape_attr(&shelf.phone_href(name), &mut tag);
    if item.width > PHONE_WIDTH {
        tag.push_str("\" srcset=\"");
        escape_attr(&shelf.phone_href(name), &mut tag);
        tag.push_str(&format!(" {phone_width}w, "));
        escape_attr(&shelf.href(name), &mut tag);
        tag.push_str(&format!(" {}w\" sizes=\"(min-width: 44rem) 40rem, 100vw", item.width));
    }
    tag.push_str(&format!(
        "\" width=\"{}\" height=\"{}\" alt=\"",
        item.width, item.height
    ));
    escape_attr(alt.trim(), &mut tag);
    tag.push_str("\" loading=\"lazy\" decoding=\"async\">");
    tag
}

/// Safe HTML of a lesson body: `![description](media/<name>)` shows the course's image,
/// `[text](media/<name>)` links to its file; any other image is its description, and a link to
/// a file the course does not hold is its text.
pub fn render_with(md: &str, shelf: &Shelf) -> String {
    let events: Vec<Event> = parser(md).collect();
    let top = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min();
    let shift = top.map_or(0, |top| 2usize.saturating_sub(top));

    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    // For each open link: what closes it (nothing when it was not written as an <a>).
    let mut open_links: Vec<Option<String>> = Vec::new();
    // An image being shown: its name and file, its description so far, and the depth of images
    // inside its description (whose own descriptions are part of it).
    let mut image: Option<(String, Shelved, String, usize)> = None;
    for event in events {
        if let Some((name, item, alt, depth)) = &mut image {
            match event {
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                Event::Start(Tag::Image { .. }) => *depth += 1,
                Event::End(TagEnd::Image) if *depth > 0 => *depth -= 1,
                Event::End(TagEnd::Image) => {
                    out.push(Event::InlineHtml(CowStr::from(img(shelf, name, item, alt))));
                    image = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::Image { dest_url, .. }) => match shelf.get(&dest_url) {
                Some((name, item)) if item.kind == MediaKind::Image => {
                    image = Some((name.to_string(), item.clone(), String::new(), 0));
                }
                // The description of any other image stays, as text.
                _ => {}
            },
            Event::End(TagEnd::Image) => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => {
                if dest_url.starts_with(MEDIA_DIR) {
                    match shelf.get(&dest_url) {
                        Some((name, item)) => {
                            let mut a = anchor(&shelf.href(name), &title, Target::Relative);
                            let close = match item.kind {
                                MediaKind::File(kind) => {
                                    a.insert_str(a.len() - 1, " download");
                                    let mut close = String::from("</a> <span class=\"file\">(");
                                    escape_attr(&file_label(kind, item.bytes), &mut close);
                                    close.push_str(")</span>");
                                    close
                                }
                                MediaKind::Image => "</a>".to_string(),
                            };
                            out.push(Event::InlineHtml(CowStr::from(a)));
                            open_links.push(Some(close));
                        }
                        None => open_links.push(None),
                    }
                    continue;
                }
                match href(link_type, &dest_url) {
                    Some((url, target)) => {
                        open_links.push(Some("</a>".to_string()));
                        out.push(Event::InlineHtml(CowStr::from(anchor(&url, &title, target))));
                    }
                    None => open_links.push(None),
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(Some(close)) = open_links.pop() {
                    out.push(Event::InlineHtml(CowStr::from(close)));
                }
            }
            Event::Start(Tag::Heading { level, .. }) => out.push(Event::Start(Tag::Heading {
                level: shifted(level, shift),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            })),
            Event::End(TagEnd::Heading(level)) => out.push(Event::End(TagEnd::Heading(shifted(level, shift)))),
            other => out.push(other),
        }
    }
    let mut html = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut html, out.into_iter());
    html
}

/// The words of a lesson body, a line per heading, paragraph or list item: for search and for a
/// script read aloud. Raw HTML is left out; images count as their description; links as their
/// text.
pub fn plain_text(md: &str) -> String {
    let mut text = String::with_capacity(md.len());
    for event in parser(md) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak | Event::Rule => text.push('\n'),
            Event::Start(Tag::Item | Tag::List(_))
            | Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::CodeBlock | TagEnd::BlockQuote(_),
            ) => text.push('\n'),
            _ => {}
        }
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What in a lesson body that shows no course files would not show as its author wrote it.
pub fn problems(md: &str) -> Vec<(usize, Message)> {
    problems_with(md, &Shelf::empty())
}

/// What in a lesson body would not show as its author wrote it: raw HTML, an image that is not
/// one of the course's (or has no description), a link to a file the course does not hold, a
/// link that would lose its address. Each with its byte offset in `md`.
pub fn problems_with(md: &str, shelf: &Shelf) -> Vec<(usize, Message)> {
    let mut found = Vec::new();
    let mut in_html_block = false;
    // An image being checked: where it starts, and whether its description has words yet.
    let mut image: Option<(usize, bool, usize)> = None;
    for (event, range) in parser(md).into_offset_iter() {
        if let Some((start, described, depth)) = &mut image {
            match &event {
                Event::Text(t) | Event::Code(t) => *described |= !t.trim().is_empty(),
                Event::Start(Tag::Image { .. }) => *depth += 1,
                Event::End(TagEnd::Image) if *depth > 0 => *depth -= 1,
                Event::End(TagEnd::Image) => {
                    if !*described {
                        found.push((*start, Message::new("err-learning-markdown-image-alt")));
                    }
                    image = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::HtmlBlock) => {
                in_html_block = true;
                found.push((range.start, Message::new("err-learning-markdown-html")));
            }
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::Html(_) | Event::InlineHtml(_) if !in_html_block => {
                found.push((range.start, Message::new("err-learning-markdown-html")));
            }
            Event::Start(Tag::Image { dest_url, .. }) => match shelf.get(&dest_url) {
                Some((_, item)) if item.kind == MediaKind::Image => image = Some((range.start, false, 0)),
                Some(_) => found.push((
                    range.start,
                    Message::new("err-learning-markdown-media-not-image").arg("name", &*dest_url),
                )),
                None if dest_url.starts_with(MEDIA_DIR) => found.push((
                    range.start,
                    Message::new("err-learning-markdown-media-missing").arg("name", &*dest_url),
                )),
                None => found.push((range.start, Message::new("err-learning-markdown-image"))),
            },
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with(MEDIA_DIR) => match shelf.get(&dest_url) {
                Some(_) => {}
                None => found.push((
                    range.start,
                    Message::new("err-learning-markdown-media-missing").arg("name", &*dest_url),
                )),
            },
            Event::Start(Tag::Link {
                link_type, dest_url, ..
            }) if href(link_type, &dest_url).is_none() => {
                found.push((
                    range.start,
                    Message::new("err-learning-markdown-link").arg("url", &*dest_url),
                ));
            }
            _ => {}
        }
    }
    found
}

/// The course files a lesson body names (`media/<name>` of its images and links), each once:
/// what a package must carry with the lesson.
pub fn media_names(md: &str) -> std::collections::BTreeSet<String> {
    parser(md)
        .filter_map(|e| match e {
            Event::Start(Tag::Image { dest_url, .. } | Tag::Link { dest_url, .. }) => {
                dest_url.strip_prefix(MEDIA_DIR).map(str::to_string)
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tag is one Markdown produces, with only the attributes it writes, and every `href`
    /// has an allowed scheme or none. Text cannot hide a tag: the writer escapes every `<` of it.
    fn assert_inert(html: &str) {
        const ELEMENTS: [&str; 19] = [
            "img",
            "span",
            "p",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "li",
            "strong",
            "em",
            "code",
            "pre",
            "blockquote",
            "a",
            "br",
            "hr",
        ];
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').map(|e| start + e);
            let Some(end) = end else {
                panic!("unclosed tag in {html}")
            };
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            let tag = tag.strip_prefix('/').unwrap_or(tag);
            let tag = tag.strip_suffix('/').unwrap_or(tag).trim_end();
            let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            assert!(ELEMENTS.contains(&name), "<{name}> in {html}");
            while let Some((key, value)) = attrs.trim_start().split_once("=\"") {
                let (value, after) = value.split_once('"').unwrap_or((value, ""));
                attrs = after;
                match key {
                    "title" | "rel" | "alt" | "width" | "height" | "sizes" => {}
                    "loading" => assert_eq!(value, "lazy"),
                    "decoding" => assert_eq!(value, "async"),
                    "src" | "srcset" => assert!(value.starts_with("/learn/"), "{value} in {html}"),
                    "class" => assert!(value.starts_with("language-") || value == "file", "{value}"),
                    "href" => {
                        let url = value.to_ascii_lowercase();
                        let end = url.find(['/', '?', '#']).unwrap_or(url.len());
                        assert!(
                            ["https://", "http://", "mailto:", "tel:"]
                                .iter()
                                .any(|s| url.starts_with(s))
                                || !url[..end].contains(':'),
                            "href {url} in {html}"
                        );
                        assert!(!url.starts_with("//"), "{html}");
                    }
                    other => panic!("attribute {other} in {html}"),
                }
            }
            let attrs = attrs.trim();
            assert!(attrs.is_empty() || attrs == "download", "{attrs} in {html}");
        }
    }

    /// What the brief's hostile inputs must never leave in the page, even as text.
    fn assert_clean(html: &str) {
        let lower = html.to_ascii_lowercase();
        for bad in ["<script", "script>", "<svg", "<img", "onerror", "onload", "<iframe"] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
        assert!(!lower.contains("href=\"javascript"), "{html}");
        assert_inert(html);
    }

    #[test]
    fn raw_html_is_dropped() {
        for md in [
            "<script>alert(1)</script>",
            "Text <script>alert(1)</script> more",
            "<img src=x onerror=alert(1)>",
            "a <img src=x onerror=alert(1)> b",
            "<svg><script>alert(1)</script></svg>",
            "<svg onload=alert(1)>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<script>alert(document.cookie)</script>\n</svg>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div>\n\n<script>alert(1)</script>\n\n</div>",
            "<!-- comment --><script>x</script>",
            "<style>body{display:none}</style>",
            "- item <b onmouseover=alert(1)>x</b>",
            "> <object data=x></object>",
            "`<script>` in code is text",
        ] {
            let html = render(md);
            assert_inert(&html);
            if !md.starts_with('`') {
                assert_clean(&html);
            }
        }
        assert_eq!(render("<script>alert(1)</script>"), "");
        assert_eq!(render("a <b>b</b> c"), "<p>a b c</p>\n");
        assert_eq!(
            render("`<script>` in code is text"),
            "<p><code>&lt;script&gt;</code> in code is text</p>\n"
        );
    }

    #[test]
    fn images_become_their_description() {
        assert_eq!(render("![Ảnh màn hình](https://a.vn/x.png)"), "<p>Ảnh màn hình</p>\n");
        // The description is text, whatever it says.
        let html = render("![x\" onerror=\"alert(1)](javascript:alert(1))");
        assert_eq!(html, "<p>x\" onerror=\"alert(1)</p>\n");
        assert_inert(&html);
        assert_clean(&render("[![a](x.png)](javascript:alert(1))"));
    }

    #[test]
    fn dangerous_links_become_text() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](<java script:alert(1)>)",
            "[x](<java\nscript:alert(1)>)",
            "[x](&#106;avascript:alert(1))",
            "[x](&#x6A;avascript&#x3A;alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](java\\script:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](\u{0001}javascript:alert(1))",
            "[x](vbscript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[x](file:///etc/passwd)",
            "[x](//evil.example/)",
            "[x](/\\evil.example/)",
            "<javascript:alert(1)>",
            "<JAVASCRIPT:alert(1)>",
            "<vbscript:msgbox(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "[r]\n\n[r]: JaVaScRiPt:alert(1)",
            "[x][r]\n\n[r]: &#106;avascript:alert(1) \"t\"",
        ] {
            let html = render(md);
            assert_clean(&html);
            assert!(!html.contains("<a"), "{md} → {html}");
            assert!(!html.to_ascii_lowercase().contains("href"), "{md} → {html}");
            // Where the parser sees a link, the import check names it.
            let is_link = parser(md).any(|e| matches!(e, Event::Start(Tag::Link { .. })));
            assert_eq!(
                problems(md).iter().any(|(_, m)| m.key == "err-learning-markdown-link"),
                is_link,
                "{md}"
            );
        }
        // The link text stays.
        assert_eq!(render("[Bấm vào đây](javascript:alert(1))"), "<p>Bấm vào đây</p>\n");
    }

    #[test]
    fn link_targets() {
        for (url, expected) in [
            ("https://dichvucong.gov.vn", Some(Target::External)),
            ("HTTP://a.vn", Some(Target::External)),
            ("mailto:a@b.vn", Some(Target::Contact)),
            ("tel:113", Some(Target::Contact)),
            ("#muc-1", Some(Target::Relative)),
            ("bai-2", Some(Target::Relative)),
            ("/khoa-hoc/x?y=1:2", Some(Target::Relative)),
            ("", Some(Target::Relative)),
            ("javascript:alert(1)", None),
            ("jAvAsCrIpT:alert(1)", None),
            (" javascript:alert(1)", None),
            ("java\tscript:alert(1)", None),
            ("java\u{0}script:alert(1)", None),
            ("java\u{200b}script:alert(1)", None),
            ("\u{7f}/x", None),
            ("bai 2", None),
            ("https://a.vn/\u{a0}x", None),
            ("//evil.example", None),
            ("/\\evil.example", None),
            ("data:text/html,x", None),
            ("vbscript:x", None),
            ("file:///etc/passwd", None),
            ("ftp://a.vn", None),
            ("intent://x#Intent;end", None),
        ] {
            assert_eq!(target(url), expected, "{url:?}");
        }
    }

    #[test]
    fn ordinary_markdown() {
        let md = "## Các bước\n\nVào **Cổng Dịch vụ công** tại [dichvucong.gov.vn](https://dichvucong.gov.vn), *rồi*:\n\n1. Đăng nhập\n2. Gõ `mã hồ sơ`\n\n- một\n- hai\n\n> Lưu ý: không đưa mã OTP cho ai.\n\n### Chi tiết\n\nXem [phần trên](#cac-buoc) hoặc gọi [113](tel:113), viết cho <hotro@example.vn>.\n";
        let html = render(md);
        assert_inert(&html);
        for part in [
            "<h2>Các bước</h2>",
            "<strong>Cổng Dịch vụ công</strong>",
            "<a href=\"https://dichvucong.gov.vn\" rel=\"noopener noreferrer\">dichvucong.gov.vn</a>",
            "<em>rồi</em>",
            "<ol>\n<li>Đăng nhập</li>\n<li>Gõ <code>mã hồ sơ</code></li>\n</ol>",
            "<ul>\n<li>một</li>\n<li>hai</li>\n</ul>",
            "<blockquote>\n<p>Lưu ý: không đưa mã OTP cho ai.</p>\n</blockquote>",
            "<h3>Chi tiết</h3>",
            "<a href=\"#cac-buoc\">phần trên</a>",
            "<a href=\"tel:113\">113</a>",
            "<a href=\"mailto:hotro@example.vn\">hotro@example.vn</a>",
        ] {
            assert!(html.contains(part), "{part} not in {html}");
        }
        assert!(problems(md).is_empty(), "{:?}", problems(md));
        // Upper-case schemes of allowed kinds stay links; a title is escaped.
        assert_eq!(
            render("[a](HTTPS://tingia.gov.vn \"x\\\" onclick=\\\"y\")"),
            "<p><a href=\"HTTPS://tingia.gov.vn\" title=\"x&quot; onclick=&quot;y\" rel=\"noopener noreferrer\">a</a></p>\n"
        );
        // An address with a quote cannot leave its attribute.
        assert_inert(&render("[a](https://a.vn/\"onmouseover=alert(1))"));
        assert!(!render("[a](https://a.vn/\"onmouseover=alert(1))").contains("\"onmouseover"));
    }

    #[test]
    fn headings_never_render_as_h1() {
        assert_eq!(render("## A\n\n### B\n"), "<h2>A</h2>\n<h3>B</h3>\n");
        assert_eq!(
            render("# A\n\n## B\n\n###### F\n"),
            "<h2>A</h2>\n<h3>B</h3>\n<h6>F</h6>\n"
        );
        assert_eq!(render("A\n===\n"), "<h2>A</h2>\n");
        assert!(!render("# A {#id .c onclick=x}").contains("onclick=\""));
    }

    #[test]
    fn plain_text_for_search_and_audio() {
        let md = "## Ba bước\n\n- **Dừng lại.** Không bấm [link](https://x.vn).\n- Kiểm tra `OTP`\n  - lồng nhau\n\n<b>html</b>\n\n![Ảnh](a.png)\n\nDòng một\ndòng hai";
        assert_eq!(
            plain_text(md),
            "Ba bước\nDừng lại. Không bấm link.\nKiểm tra OTP\nlồng nhau\nhtml\nẢnh\nDòng một dòng hai"
        );
    }

    #[test]
    fn problems_have_offsets() {
        let md = "## a\n\nx <b>y</b>\n\n![i](a.png)\n";
        let found = problems(md);
        let found: Vec<(usize, &str)> = found.iter().map(|(o, m)| (*o, m.key.as_str())).collect();
        assert_eq!(
            found,
            [
                (8, "err-learning-markdown-html"),
                (12, "err-learning-markdown-html"),
                (18, "err-learning-markdown-image")
            ]
        );
    }

    #[test]
    fn hostile_sizes_stay_fast() {
        let start = std::time::Instant::now();
        for md in [
            "[".repeat(200_000),
            ">".repeat(200_000),
            "*a ".repeat(60_000),
            "- ".repeat(100_000),
            "<".repeat(200_000),
            "[a](".repeat(50_000),
        ] {
            assert_inert(&render(&md));
            plain_text(&md);
            problems(&md);
        }
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    }

    fn shelf() -> Shelf {
        Shelf::new("/learn/k/media/")
            .with(
                "vneid.jpg",
                Shelved {
                    kind: MediaKind::Image,
                    width: 1280,
                    height: 720,
                    bytes: 90_000,
                },
            )
            .with(
                "nho.jpg",
                Shelved {
                    kind: MediaKind::Image,
                    width: 300,
                    height: 200,
                    bytes: 9_000,
                },
            )
            .with(
                "to-khai.pdf",
                Shelved {
                    kind: MediaKind::File(DownloadKind::Pdf),
                    width: 0,
                    height: 0,
                    bytes: 120 * 1024 + 1,
                },
            )
    }

    #[test]
    fn course_images_and_files() {
        let shelf = shelf();
        let md = "Màn hình:\n\n![Màn hình *chính* của VNeID](media/vneid.jpg)\n\n![Nút](media/nho.jpg)\n\nTải [tờ khai](media/to-khai.pdf) hoặc xem [ảnh lớn](media/vneid.jpg).\n";
        let html = render_with(md, &shelf);
        assert_inert(&html);
        assert_eq!(
            html,
            "<p>Màn hình:</p>\n<p><img src=\"/learn/k/media/vneid.jpg?w=480\" srcset=\"/learn/k/media/vneid.jpg?w=480 480w, /learn/k/media/vneid.jpg 1280w\" sizes=\"(min-width: 44rem) 40rem, 100vw\" width=\"1280\" height=\"720\" alt=\"Màn hình chính của VNeID\" loading=\"lazy\" decoding=\"async\"></p>\n\
             <p><img src=\"/learn/k/media/nho.jpg?w=480\" width=\"300\" height=\"200\" alt=\"Nút\" loading=\"lazy\" decoding=\"async\"></p>\n\
             <p>Tải <a href=\"/learn/k/media/to-khai.pdf\" download>tờ khai</a> <span class=\"file\">(PDF, 121 KB)</span> hoặc xem <a href=\"/learn/k/media/vneid.jpg\">ảnh lớn</a>.</p>\n"
        );
        assert!(problems_with(md, &shelf).is_empty(), "{:?}", problems_with(md, &shelf));
        assert_eq!(
            media_names(md).into_iter().collect::<Vec<_>>(),
            ["nho.jpg", "to-khai.pdf", "vneid.jpg"]
        );
        // Without the course's files the same text is its words.
        assert_eq!(
            render("![Nút](media/nho.jpg) [tờ khai](media/to-khai.pdf)"),
            "<p>Nút tờ khai</p>\n"
        );
    }

    #[test]
    fn course_images_refused() {
        let shelf = shelf();
        let keys = |md: &str| -> Vec<String> { problems_with(md, &shelf).into_iter().map(|(_, m)| m.key).collect() };
        assert_eq!(keys("![](media/vneid.jpg)"), ["err-learning-markdown-image-alt"]);
        assert_eq!(keys("![  ](media/vneid.jpg)"), ["err-learning-markdown-image-alt"]);
        assert_eq!(
            keys("![x](media/khong-co.jpg)"),
            ["err-learning-markdown-media-missing"]
        );
        assert_eq!(keys("[x](media/khong-co.pdf)"), ["err-learning-markdown-media-missing"]);
        assert_eq!(
            keys("![x](media/to-khai.pdf)"),
            ["err-learning-markdown-media-not-image"]
        );
        assert_eq!(keys("![x](https://a.vn/x.png)"), ["err-learning-markdown-image"]);
        assert_eq!(
            keys("![x](media/../../etc/passwd)"),
            ["err-learning-markdown-media-missing"]
        );
        // A description cannot leave its attribute, nor a nested image its description.
        for md in [
            "![x\" onerror=\"alert(1)](media/vneid.jpg)",
            "![a <script>b</script> ![c](javascript:x)](media/vneid.jpg)",
            "[![x](media/vneid.jpg)](javascript:alert(1))",
            "[x](media/khong-co.pdf)",
        ] {
            let html = render_with(md, &shelf);
            assert_inert(&html);
            assert!(!html.contains("onerror=\""), "{html}");
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("javascript"), "{html}");
        }
        assert!(render_with("[x](media/khong-co.pdf)", &shelf).starts_with("<p>x</p>"));
    }
}
