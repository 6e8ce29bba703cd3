//! What every page shares: [`Layout`] (language, navigation, CSRF token, stylesheet) around a
//! typed page struct rendered by an askama template under `templates/<feature>/`. Navigation is
//! assembled from the entries each feature offers ([`NavFn`]), installed once by the crate root,
//! so a new feature adds its entry without editing this file.

use crate::kit::i18n::Tr;
use crate::kit::problem::Problem;
use crate::kit::viewer::Viewer;
use askama::Template;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// A feature's entries in the navigation, for an anonymous visitor (`None`) or a signed-in one.
pub type NavFn = fn(Tr, Option<&Viewer>) -> Vec<Nav>;

static NAVIGATION: OnceLock<&'static [NavFn]> = OnceLock::new();

/// Sets the features' navigation, in the order shown (the crate root does it once).
pub fn install_navigation(entries: &'static [NavFn]) {
    let _ = NAVIGATION.set(entries);
}

fn navigation(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    NAVIGATION
        .get()
        .map(|all| all.iter().flat_map(|f| f(tr, v)).collect())
        .unwrap_or_default()
}

#[derive(Debug, Clone)]
pub struct Nav {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// What every page needs around its content.
#[derive(Debug, Clone)]
pub struct Layout {
    pub tr: Tr,
    pub user: Option<String>,
    pub csrf: String,
    pub nav: Vec<Nav>,
    pub css: &'static str,
    pub js: &'static str,
    pub other_lang: &'static str,
    pub other_lang_label: &'static str,
    pub path: String,
    /// The path with its query, where the header's switches come back to.
    pub here: String,
    /// The reader's chosen type size (WCAG 1.4.4: older learners on small phones ask for it).
    pub text_size: TextSize,
}

/// The type size a reader chose with the header's switch; kept in a cookie, so it works without
/// JavaScript and survives signing out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextSize {
    #[default]
    Normal,
    Large,
    Larger,
}

impl TextSize {
    pub const ALL: [TextSize; 3] = [TextSize::Normal, TextSize::Large, TextSize::Larger];
    pub const COOKIE: &'static str = "text";

    pub fn as_str(self) -> &'static str {
        match self {
            TextSize::Normal => "normal",
            TextSize::Large => "large",
            TextSize::Larger => "larger",
        }
    }

    pub fn parse(s: &str) -> Option<TextSize> {
        TextSize::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// What the switch shows: the letter grows with the size.
    pub fn mark(self) -> &'static str {
        match self {
            TextSize::Normal => "A",
            TextSize::Large => "A+",
            TextSize::Larger => "A++",
        }
    }

    pub fn label_key(self) -> String {
        format!("text-size-{}", self.as_str())
    }

    fn from_parts(parts: &Parts) -> TextSize {
        crate::kit::viewer::cookie(&parts.headers, TextSize::COOKIE)
            .and_then(|c| TextSize::parse(&c))
            .unwrap_or_default()
    }
}

impl Layout {
    pub fn t(&self, key: &str) -> String {
        self.tr.get(key)
    }

    /// The class on `<html>` that scales the type, when the reader chose a larger size.
    pub fn text_class(&self) -> Option<String> {
        (self.text_size != TextSize::Normal).then(|| format!("text-{}", self.text_size.as_str()))
    }

    /// The switch's choices, the chosen one marked.
    pub fn text_sizes(&self) -> Vec<(TextSize, bool)> {
        TextSize::ALL.into_iter().map(|s| (s, s == self.text_size)).collect()
    }

    fn base(tr: Tr, parts: &Parts) -> Layout {
        let (other_lang, other_lang_label) = match tr.0 {
            hocvuso_core::Lang::Vi => ("en", "English"),
            hocvuso_core::Lang::En => ("vi", "Tiếng Việt"),
        };
        Layout {
            tr,
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
            css: crate::kit::style::stylesheet_url(),
            js: crate::kit::script::script_url(),
            other_lang,
            other_lang_label,
            path: parts.uri.path().to_string(),
            here: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_string(), |p| p.as_str().to_string()),
            text_size: TextSize::from_parts(parts),
        }
    }

    pub fn anonymous(tr: Tr, parts: &Parts) -> Layout {
        let mut l = Layout::base(tr, parts);
        l.nav = navigation(tr, None);
        l.mark_current();
        l
    }

    pub fn for_viewer(tr: Tr, parts: &Parts, v: &Viewer) -> Layout {
        let mut l = Layout::base(tr, parts);
        l.user = Some(v.account.display_name.clone());
        l.csrf = v.csrf.clone();
        l.nav = navigation(tr, Some(v));
        l.mark_current();
        l
    }

    fn mark_current(&mut self) {
        let path = self.path.clone();
        for n in &mut self.nav {
            n.current = n.href == path;
        }
    }
}

/// Renders a page as an HTML response.
pub fn html<T: Template>(page: &T) -> Result<Response, Problem> {
    let body = page.render()?;
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(r)
}
