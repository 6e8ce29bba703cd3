//! Lesson Markdown (CommonMark, no extensions) to safe HTML, and to plain text.
//!
//! The HTML is safe to put in a page whatever the Markdown says: raw HTML, block or inline, is
//! dropped (lesson files with raw HTML are refused on import, see [`problems`]); images are shown
//! as their description only; a link keeps its `href` only when
//! it is `http`, `https`, `mailto`, `tel` or a relative or fragment address, spelled plainly (no
//! white space or control character anywhere in it, no backslash, not `//host`), and otherwise
//! becomes its text. External links carry `rel="noopener noreferrer"`. A lesson's sections start
//! at `##`; headings are shifted so that nothing is an `<h1>` (the page's title is).

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

/// Safe HTML of a lesson body.
pub fn render(md: &str) -> String {
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
    // For each open link: whether it was written as an <a>.
    let mut open_links: Vec<bool> = Vec::new();
    for event in events {
        match event {
            Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            // The description of an image stays, as text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }) => match href(link_type, &dest_url) {
                Some((url, target)) => {
                    open_links.push(true);
                    out.push(Event::InlineHtml(CowStr::from(anchor(&url, &title, target))));
                }
                None => open_links.push(false),
            },
            Event::End(TagEnd::Link) => {
                if open_links.pop() == Some(true) {
                    out.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
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

/// What in a lesson body would not show as its author wrote it: raw HTML, an image, a link that
/// would lose its address. Each with its byte offset in `md`.
pub fn problems(md: &str) -> Vec<(usize, Message)> {
    let mut found = Vec::new();
    let mut in_html_block = false;
    for (event, range) in parser(md).into_offset_iter() {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                in_html_block = true;
                found.push((range.start, Message::new("err-learning-markdown-html")));
            }
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::Html(_) | Event::InlineHtml(_) if !in_html_block => {
                found.push((range.start, Message::new("err-learning-markdown-html")));
            }
            Event::Start(Tag::Image { .. }) => {
                found.push((range.start, Message::new("err-learning-markdown-image")));
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tag is one Markdown produces, with only the attributes it writes, and every `href`
    /// has an allowed scheme or none. Text cannot hide a tag: the writer escapes every `<` of it.
    fn assert_inert(html: &str) {
        const ELEMENTS: [&str; 17] = [
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
                    "title" | "rel" => {}
                    "class" => assert!(value.starts_with("language-"), "{value}"),
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
            assert!(attrs.trim().is_empty(), "{attrs} in {html}");
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
}
