//! The audit log screen: inspectors and administrators read the entries of their scope, newest
//! first, filtered by action, person, actor and dates, with people, accounts and units named (a
//! person's name only where the reader may see that person), and can see whether the hash chain
//! is intact.

use crate::kit::format::fmt_time;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, Nav, html};
use crate::kit::problem::{Problem, Rendered};
use crate::kit::routes::Access;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use hocvuso_core::access::act;
use hocvuso_core::i18n::Message;
use hocvuso_core::roles::Action;
use hocvuso_db::audit::{self, AuditRow, Filter, Reader};
use hocvuso_db::people::{self, SearchTerm};
use hocvuso_db::{accounts, units};
use serde::Deserialize;
use std::collections::HashMap;
use time::{Date, OffsetDateTime, UtcOffset};

pub fn router() -> crate::kit::routes::Routes {
    crate::kit::routes::Routes::new().route("/audit", Access::Own, get(page))
}

/// A name shown in a row, with where it leads (if anywhere).
pub struct Named {
    pub text: String,
    pub href: Option<String>,
}

pub struct Row {
    pub id: i64,
    pub at: String,
    pub who: Named,
    pub ip: String,
    pub action: String,
    pub object: Named,
    pub about: Option<Named>,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<Row>,
    next: Option<String>,
    prev: Option<String>,
    chain_ok: Option<bool>,
    f: AuditQuery,
    actions: Vec<(String, String)>,
    error: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    #[serde(default)]
    action: String,
    /// A person's name or phone number.
    #[serde(default)]
    person: String,
    /// One person, from a link.
    #[serde(default)]
    person_id: Option<i64>,
    /// An account's name or phone number.
    #[serde(default)]
    actor: String,
    /// One account, from a link.
    #[serde(default)]
    actor_id: Option<i64>,
    /// First and last day, inclusive, in Vietnam time (`2026-11-29` or `29/11/2026`).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    before: Option<i64>,
    after: Option<i64>,
}

const PAGE: u64 = 50;

fn action_label(tr: Tr, action: &str) -> String {
    let key = hocvuso_core::audit::label_key(action);
    let label = tr.get(&key);
    if label == key { action.to_string() } else { label }
}

/// Midnight at the start of `d` in Vietnam (UTC+7), as a UTC instant.
fn vietnam_midnight(d: Date) -> OffsetDateTime {
    let vn = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    d.midnight().assume_offset(vn).to_offset(UtcOffset::UTC)
}

/// A day typed by hand (29/11/2026) or picked in a date field (2026-11-29).
fn parse_day(field: &'static str, s: &str) -> Result<Option<Date>, Message> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = Date::parse(s, &iso) {
        return Ok(Some(d));
    }
    hocvuso_core::people::parse_date(field, s).map(Some)
}

/// The query string of a page link: the filters as given, and where the page starts.
fn link(f: &AuditQuery, at: (&str, i64)) -> String {
    let person_id = f.person_id.map(|p| p.to_string()).unwrap_or_default();
    let actor_id = f.actor_id.map(|p| p.to_string()).unwrap_or_default();
    let at_value = at.1.to_string();
    let pairs: Vec<(&str, &str)> = [
        ("action", f.action.as_str()),
        ("person", f.person.as_str()),
        ("person_id", person_id.as_str()),
        ("actor", f.actor.as_str()),
        ("actor_id", actor_id.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
        (at.0, at_value.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    format!("?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

async fn page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> Result<Response, Problem> {
    let scopes = v.principal.scopes::<act::ViewAudit>();
    let Some(scope) = scopes.first() else {
        return Err(Problem::forbidden());
    };
    let scope_path = scope.root().to_string();
    let mut errors: Vec<String> = Vec::new();
    let mut filter = Filter {
        before_id: q.before,
        after_id: q.after,
        ..Default::default()
    };
    let action = q.action.trim();
    if !action.is_empty() {
        if action.len() <= 40 && action.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_') {
            filter.action = Some(action.to_string());
        } else {
            errors.push(tr.get("audit-err-action"));
        }
    }
    // A person: by id from a link, or by name or phone searched inside the reader's scope.
    let person_q = hocvuso_core::text::clean_line("person", &q.person, 100).unwrap_or_default();
    if let Some(id) = q.person_id {
        filter.person_ids = Some(vec![id]);
    } else if !person_q.is_empty() {
        match SearchTerm::parse(&person_q) {
            SearchTerm::PersonalId(_) => errors.push(tr.get("audit-err-person-id")),
            term => match v.principal.authorize::<act::ViewPeople>(&scope_path) {
                Ok(people_scope) => {
                    let found = people::search(&state.db, &state.vault, &people_scope, &term, None, 200).await?;
                    filter.person_ids = Some(found.people.iter().map(|p| p.id).collect());
                }
                // Reads the log but not the people: no one is found by name.
                Err(_) => filter.person_ids = Some(Vec::new()),
            },
        }
    }
    // An actor: by id from a link, a phone number, or a name among the accounts holding a role
    // in the reader's scope.
    let actor_q = hocvuso_core::text::clean_line("actor", &q.actor, 100).unwrap_or_default();
    if let Some(id) = q.actor_id {
        filter.actor_ids = Some(vec![id]);
    } else if !actor_q.is_empty() {
        let mut ids = Vec::new();
        if let Some(phone) = hocvuso_core::text::normalize_phone(&actor_q)
            && let Some(a) = accounts::by_phone(&state.db, &phone).await?
        {
            ids.push(a.id);
        }
        let folded = hocvuso_core::text::fold(&actor_q);
        if !folded.is_empty() {
            let mut seen = std::collections::HashSet::new();
            for g in accounts::grants_in(&state.db, &scope_path).await? {
                if seen.insert(g.account_id)
                    && let Some(a) = accounts::get(&state.db, g.account_id).await?
                    && hocvuso_core::text::fold(&a.display_name).contains(&folded)
                {
                    ids.push(a.id);
                }
            }
        }
        filter.actor_ids = Some(ids);
    }
    match parse_day("from", &q.from) {
        Ok(d) => filter.from = d.map(vietnam_midnight),
        Err(m) => errors.push(format!("{}: {}", tr.get("audit-from-date"), tr.msg(&m))),
    }
    match parse_day("to", &q.to) {
        Ok(d) => filter.until = d.and_then(|d| d.next_day()).map(vietnam_midnight),
        Err(m) => errors.push(format!("{}: {}", tr.get("audit-to-date"), tr.msg(&m))),
    }
    if let (Some(a), Some(b)) = (filter.from, filter.until)
        && a >= b
    {
        errors.push(tr.get("audit-err-range"));
        filter.from = None;
        filter.until = None;
    }
    // One row more than a page says whether the log goes on past it.
    let mut list = audit::list(&state.db, Reader::Within(scope), &filter, PAGE + 1).await?;
    let more = list.len() as u64 > PAGE;
    let upwards = q.after.is_some() && q.before.is_none();
    let (has_older, has_newer) = if upwards {
        // Read from `after` upwards: the extra row is the newest, at the front.
        if more {
            list.remove(0);
        }
        (true, more)
    } else {
        list.truncate(PAGE as usize);
        (more, q.before.is_some())
    };
    let next = has_older
        .then(|| list.last().map(|r| link(&q, ("before", r.id))))
        .flatten();
    let prev = has_newer
        .then(|| list.first().map(|r| link(&q, ("after", r.id))))
        .flatten();
    // Verifying the whole chain reads every entry; only the national administrator's page does it.
    let chain_ok = if scope_path.matches('/').count() <= 2
        && q.before.is_none()
        && q.after.is_none()
        && v.principal.has_role(hocvuso_core::roles::Role::SystemAdmin)
    {
        Some(audit::verify(&state.db).await?.ok())
    } else {
        None
    };
    let rows = name_rows(&state, tr, &v, list).await?;
    let mut actions: Vec<(String, String)> = hocvuso_core::audit::Kind::ALL
        .iter()
        .map(|k| (k.action().to_string(), action_label(tr, k.action())))
        .collect();
    hocvuso_core::text::sort_vietnamese(&mut actions, |(_, l)| l);
    let failed = !errors.is_empty();
    let mut r = html(&AuditPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        rows,
        next,
        prev,
        chain_ok,
        f: AuditQuery {
            person: person_q,
            actor: actor_q,
            ..q
        },
        actions,
        error: failed.then(|| errors.join(" ")),
    })?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        r.extensions_mut().insert(Rendered);
    }
    Ok(r)
}

/// Names the people, accounts and units of a page of entries, each looked up once.
async fn name_rows(state: &AppState, tr: Tr, v: &Viewer, list: Vec<AuditRow>) -> Result<Vec<Row>, Problem> {
    let mut person_ids: Vec<i64> = list.iter().filter_map(|r| r.person_id).collect();
    for r in &list {
        if r.object_kind == "person"
            && let Ok(id) = r.object_id.parse()
        {
            person_ids.push(id);
        }
    }
    person_ids.sort_unstable();
    person_ids.dedup();
    // A person's name only where the reader may see the person; otherwise a number.
    let persons: HashMap<i64, String> =
        people::get_many(&state.db, &v.principal.scopes::<act::ViewPeople>(), &person_ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.full_name))
            .collect();
    let mut account_names: HashMap<i64, Option<String>> = HashMap::new();
    let mut unit_names: HashMap<String, Option<String>> = HashMap::new();
    let mut rows = Vec::with_capacity(list.len());
    for r in list {
        let person_named = |id: i64| match persons.get(&id) {
            Some(n) => Named {
                text: n.clone(),
                href: Some(format!("/people/{id}")),
            },
            None => Named {
                text: tr.msg(&Message::new("audit-person-hidden").arg("id", id)),
                href: None,
            },
        };
        let object = match r.object_kind.as_str() {
            "person" => match r.object_id.parse::<i64>() {
                Ok(id) => person_named(id),
                Err(_) => Named {
                    text: r.object_id.clone(),
                    href: None,
                },
            },
            "account" => match r.object_id.parse::<i64>() {
                Ok(id) => {
                    if let std::collections::hash_map::Entry::Vacant(e) = account_names.entry(id) {
                        e.insert(account_name(state, v, id).await?);
                    }
                    match account_names.get(&id).cloned().flatten() {
                        Some(n) => Named {
                            text: n,
                            href: Some(format!("/audit?actor_id={id}")),
                        },
                        None => Named {
                            text: tr.msg(&Message::new("audit-account-hidden").arg("id", id)),
                            href: None,
                        },
                    }
                }
                Err(_) => Named {
                    text: r.object_id.clone(),
                    href: None,
                },
            },
            "unit" => {
                if let std::collections::hash_map::Entry::Vacant(e) = unit_names.entry(r.object_id.clone()) {
                    e.insert(units::by_code(&state.db, &r.object_id).await?.map(|u| u.name));
                }
                match unit_names.get(&r.object_id).cloned().flatten() {
                    Some(n) => Named {
                        text: n,
                        href: Some(format!("/units/{}", r.object_id)),
                    },
                    None => Named {
                        text: r.object_id.clone(),
                        href: None,
                    },
                }
            }
            "import_job" => Named {
                text: tr.msg(&Message::new("audit-import-job").arg("id", r.object_id.as_str())),
                href: Some(format!("/imports/{}", r.object_id)),
            },
            other => Named {
                text: format!("{other} {}", r.object_id),
                href: None,
            },
        };
        // The person an entry concerns, when the object is something else (an import, a unit).
        let about = match r.person_id {
            Some(pid) if r.object_kind != "person" => Some(person_named(pid)),
            _ => None,
        };
        let who = Named {
            text: r.actor_label.clone(),
            href: r.actor_id.map(|id| format!("/audit?actor_id={id}")),
        };
        rows.push(Row {
            id: r.id,
            at: fmt_time(&r.at),
            who,
            ip: r.ip,
            action: action_label(tr, &r.action),
            object,
            about,
        });
    }
    Ok(rows)
}

/// An account's name, unless it is a resident's account whose person the reader may not see.
async fn account_name(state: &AppState, v: &Viewer, id: i64) -> Result<Option<String>, Problem> {
    let Some(a) = accounts::get(&state.db, id).await? else {
        return Ok(None);
    };
    match a.person_id {
        None => Ok(Some(a.display_name)),
        Some(pid) => {
            let visible = people::locate(&state.db, pid)
                .await?
                .is_some_and(|path| v.principal.can(Action::ViewPeople, &path));
            Ok(visible.then_some(a.display_name))
        }
    }
}

/// The audit log, for whoever may read it somewhere.
pub fn nav(tr: Tr, v: Option<&Viewer>) -> Vec<Nav> {
    match v {
        Some(v) if v.principal.can_somewhere(Action::ViewAudit) => vec![Nav {
            href: "/audit".into(),
            label: tr.get("nav-audit"),
            current: false,
        }],
        _ => Vec::new(),
    }
}
