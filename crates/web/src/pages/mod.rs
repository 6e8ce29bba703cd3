//! Server-rendered pages. Each page is a typed struct rendered by an askama template under
//! `templates/<domain>/`; every page shares [`Layout`] (language, navigation, CSRF token).

pub mod access;
pub mod audit;
pub mod home;
pub mod import_template;
pub mod imports;
pub mod me;
pub mod people;
pub mod units;

use crate::auth::Viewer;
use crate::error::Problem;
use crate::i18n::Tr;
use askama::Template;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hocvuso_core::roles::Action;

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
    pub other_lang: &'static str,
    pub other_lang_label: &'static str,
    pub path: String,
}

impl Layout {
    pub fn t(&self, key: &str) -> String {
        self.tr.get(key)
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
            css: crate::ops::stylesheet_url(),
            other_lang,
            other_lang_label,
            path: parts.uri.path().to_string(),
        }
    }

    pub fn anonymous(tr: Tr, parts: &Parts) -> Layout {
        let mut l = Layout::base(tr, parts);
        l.nav = vec![
            Nav {
                href: "/".into(),
                label: tr.get("nav-home"),
                current: false,
            },
            Nav {
                href: "/units".into(),
                label: tr.get("nav-units"),
                current: false,
            },
        ];
        l.mark_current();
        l
    }

    pub fn for_viewer(tr: Tr, parts: &Parts, v: &Viewer) -> Layout {
        let mut l = Layout::base(tr, parts);
        l.user = Some(v.account.display_name.clone());
        l.csrf = v.csrf.clone();
        let mut nav = vec![Nav {
            href: "/".into(),
            label: tr.get("nav-home"),
            current: false,
        }];
        let mut seen = std::collections::HashSet::new();
        for g in v
            .grants
            .iter()
            .filter(|g| v.principal.can(Action::ViewUnits, &g.unit_path))
        {
            if seen.insert(g.unit_code.clone()) {
                nav.push(Nav {
                    href: format!("/units/{}", g.unit_code),
                    label: g.unit_name.clone(),
                    current: false,
                });
            }
        }
        if v.principal.can_somewhere(Action::ViewAudit) {
            nav.push(Nav {
                href: "/audit".into(),
                label: tr.get("nav-audit"),
                current: false,
            });
        }
        if v.principal.can_somewhere(Action::GrantRoles) {
            nav.push(Nav {
                href: "/access".into(),
                label: tr.get("nav-access"),
                current: false,
            });
        }
        nav.push(Nav {
            href: "/me".into(),
            label: tr.get("nav-me"),
            current: false,
        });
        l.nav = nav;
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

pub fn router() -> crate::routes::Routes {
    crate::routes::Routes::new()
        .merge(home::router())
        .merge(units::router())
        .merge(people::router())
        .merge(imports::router())
        .merge(audit::router())
        .merge(access::router())
        .merge(me::router())
}
