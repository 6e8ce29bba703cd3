//! Byte ranges (RFC 9110 §14) for media held whole in memory: a browser asks for a part of a
//! lesson's audio to learn its duration and to seek, and a phone on a weak connection resumes a
//! download where it broke off. One range per request; several are answered with the whole body
//! (a server may ignore `Range`, and no player needs `multipart/byteranges`).

use crate::kit::problem::Rendered;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// What to send for a `Range` header against a body of a known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No usable range: the whole body, 200.
    Whole,
    /// Bytes `start..=end` (both inside the body), 206.
    Part { start: u64, end: u64 },
    /// A range that selects nothing in this body, 416.
    Unsatisfiable,
}

/// Reads a `Range` header value against a body of `len` bytes. Never panics and never
/// overflows: a number too large for `u64` counts as "beyond any body".
pub fn parse(value: &str, len: u64) -> ByteRange {
    let Some((unit, spec)) = value.split_once('=') else {
        return ByteRange::Whole;
    };
    // A unit we do not serve is ignored, as RFC 9110 asks.
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return ByteRange::Whole;
    }
    if spec.contains(',') {
        return ByteRange::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return ByteRange::Unsatisfiable;
    };
    let (first, last) = (first.trim(), last.trim());
    let range = match (number(first), number(last)) {
        // bytes=-n: the last n bytes.
        (None, Some(n)) if first.is_empty() => {
            if n == 0 || len == 0 {
                return ByteRange::Unsatisfiable;
            }
            (len.saturating_sub(n), len - 1)
        }
        // bytes=a-: from a to the end.
        (Some(a), None) if last.is_empty() => (a, u64::MAX),
        (Some(a), Some(b)) if a <= b => (a, b),
        // bytes=5-2, bytes=-, bytes=x-y…: not a range.
        _ => return ByteRange::Unsatisfiable,
    };
    let (start, end) = range;
    if start >= len {
        return ByteRange::Unsatisfiable;
    }
    ByteRange::Part {
        start,
        end: end.min(len - 1),
    }
}

/// Decimal digits only (no sign, no spaces inside); more digits than `u64` holds saturate.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        s.bytes()
            .fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0'))),
    )
}

/// The answer to a GET of `body` whose strong validator is `etag` (with its quotes): the whole
/// body, the part the `Range` header asks for, 304 to a matching `If-None-Match`, or 416. The
/// caller adds the content type and the caching policy. `If-Range` holding another validator
/// (or a date: these bodies carry no `Last-Modified`) gets the whole body, so a resumed download
/// never splices two different files.
pub fn respond(request: &HeaderMap, body: Vec<u8>, etag: &str) -> Response {
    let len = body.len() as u64;
    let tag = HeaderValue::from_str(etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let mut r = Response::new(Body::empty());
    let h = r.headers_mut();
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, tag);
    if request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        })
    {
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        return r;
    }
    let if_range_holds = request
        .get(header::IF_RANGE)
        .is_none_or(|v| v.to_str().is_ok_and(|v| v.trim() == etag));
    let range = match request.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(v) if if_range_holds => parse(v, len),
        _ => ByteRange::Whole,
    };
    match range {
        ByteRange::Whole => {
            *r.body_mut() = Body::from(body);
        }
        ByteRange::Part { start, end } => {
            *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            insert_range(r.headers_mut(), &format!("bytes {start}-{end}/{len}"));
            // start ≤ end < len = body.len(), so both fit in usize.
            let mut body = body;
            body.truncate(end as usize + 1);
            body.drain(..start as usize);
            *r.body_mut() = Body::from(body);
        }
        ByteRange::Unsatisfiable => {
            *r.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            insert_range(r.headers_mut(), &format!("bytes */{len}"));
            // A media client reads the length from this answer: no error page in its place.
            r.extensions_mut().insert(Rendered);
        }
    }
    r
}

fn insert_range(h: &mut HeaderMap, v: &str) {
    if let Ok(v) = HeaderValue::from_str(v) {
        h.insert(header::CONTENT_RANGE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::ByteRange::{Part, Unsatisfiable, Whole};
    use super::*;

    #[test]
    fn single_ranges() {
        assert_eq!(parse("bytes=0-99", 1000), Part { start: 0, end: 99 });
        assert_eq!(parse("bytes=0-0", 1000), Part { start: 0, end: 0 });
        assert_eq!(parse("bytes=500-", 1000), Part { start: 500, end: 999 });
        assert_eq!(parse("bytes=0-", 1000), Part { start: 0, end: 999 });
        assert_eq!(parse("bytes=-100", 1000), Part { start: 900, end: 999 });
        assert_eq!(parse("bytes=999-999", 1000), Part { start: 999, end: 999 });
        // The unit is case-insensitive; spaces around the parts are tolerated.
        assert_eq!(parse("Bytes= 1-2 ", 1000), Part { start: 1, end: 2 });
    }

    #[test]
    fn a_range_past_the_end_is_cut_to_the_body() {
        assert_eq!(parse("bytes=900-5000", 1000), Part { start: 900, end: 999 });
        assert_eq!(parse("bytes=-5000", 1000), Part { start: 0, end: 999 });
    }

    #[test]
    fn ranges_that_select_nothing_are_unsatisfiable() {
        assert_eq!(parse("bytes=1000-", 1000), Unsatisfiable);
        assert_eq!(parse("bytes=1000-2000", 1000), Unsatisfiable);
        assert_eq!(parse("bytes=-0", 1000), Unsatisfiable);
        assert_eq!(parse("bytes=0-", 0), Unsatisfiable);
        assert_eq!(parse("bytes=-5", 0), Unsatisfiable);
    }

    #[test]
    fn hostile_and_malformed_ranges() {
        for bad in [
            "bytes=5-2",
            "bytes=-",
            "bytes=",
            "bytes=abc",
            "bytes=a-b",
            "bytes=1-x",
            "bytes=+1-2",
            "bytes=-+5",
            "bytes=1 2-3",
            "bytes=--5",
            "bytes=0x10-0x20",
            "bytes=١-٢",
            "bytes=5",
        ] {
            assert_eq!(parse(bad, 1000), Unsatisfiable, "{bad}");
        }
        // Numbers larger than any u64 neither overflow nor wrap around.
        let huge = "99999999999999999999999999999999999999";
        assert_eq!(parse(&format!("bytes={huge}-"), 1000), Unsatisfiable);
        assert_eq!(parse(&format!("bytes=0-{huge}"), 1000), Part { start: 0, end: 999 });
        assert_eq!(parse(&format!("bytes=-{huge}"), 1000), Part { start: 0, end: 999 });
        assert_eq!(parse(&format!("bytes={huge}-{huge}"), 1000), Unsatisfiable);
        assert_eq!(
            parse("bytes=18446744073709551615-18446744073709551615", u64::MAX),
            Unsatisfiable
        );
        assert_eq!(
            parse("bytes=-18446744073709551615", u64::MAX),
            Part {
                start: 0,
                end: u64::MAX - 1
            }
        );
    }

    #[test]
    fn what_is_not_a_single_byte_range_gets_the_whole_body() {
        for whole in ["items=0-5", "0-5", "", "bytes 0-5", "bytes=0-1,5-6", "bytes=0-1, 2-"] {
            assert_eq!(parse(whole, 1000), Whole, "{whole}");
        }
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn responses_carry_status_and_headers() {
        let body: Vec<u8> = (0..10).collect();
        let tag = "\"abc\"";
        let r = respond(&headers(&[]), body.clone(), tag);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[header::ACCEPT_RANGES], "bytes");
        assert_eq!(r.headers()[header::ETAG], tag);
        let r = respond(&headers(&[(header::RANGE, "bytes=2-4")]), body.clone(), tag);
        assert_eq!(r.status(), 206);
        assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes 2-4/10");
        let r = respond(&headers(&[(header::RANGE, "bytes=10-")]), body.clone(), tag);
        assert_eq!(r.status(), 416);
        assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes */10");
        assert!(r.extensions().get::<Rendered>().is_some());
        let r = respond(
            &headers(&[(header::RANGE, "bytes=2-4"), (header::IF_RANGE, "\"old\"")]),
            body.clone(),
            tag,
        );
        assert_eq!(r.status(), 200, "another file's validator: the whole body");
        let r = respond(
            &headers(&[(header::RANGE, "bytes=2-4"), (header::IF_RANGE, tag)]),
            body.clone(),
            tag,
        );
        assert_eq!(r.status(), 206);
        let r = respond(&headers(&[(header::IF_NONE_MATCH, "\"x\", \"abc\"")]), body, tag);
        assert_eq!(r.status(), 304);
    }
}
