//! A unit's learning, beyond the figures on its page: the residents who have not started (a page,
//! and a spreadsheet for those who may export people) and the figures as a spreadsheet.

use crate::kit::download::{XLSX, attachment, build, file_part};
use crate::kit::format::load_unit;
use crate::kit::i18n::Tr;
use crate::kit::layout::{Layout, html};
use crate::kit::problem::Problem;
use crate::kit::state::AppState;
use crate::kit::viewer::{Parts0, Viewer};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hocvuso_app::Via;
use hocvuso_app::learning::{self as app_learning, CourseChoice, NotStartedRequest, UnitFigures};
use hocvuso_core::Lang;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use hocvuso_core::roles::Action;
use hocvuso_db::people::{PageAt, Person, Total};
use hocvuso_db::units::Unit;
use serde::Deserialize;

/// As many as a page of the people list.
pub const PAGE: u64 = 50;

pub(super) fn content_lang(tr: Tr) -> ContentLang {
    match tr.0 {
        Lang::Vi => ContentLang::Vi,
        Lang::En => ContentLang::En,
    }
}

/// The year asked for, or this year.
pub(super) fn year_of(asked: Option<&str>) -> Result<i32, Problem> {
    match asked.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => hocvuso_core::units::parse_year(y).map_err(Problem::bad_request),
        None => Ok(time::OffsetDateTime::now_utc().year()),
    }
}

/// A course slug from a query string: one line, NFC, short; empty for none.
pub(super) fn course_of(asked: Option<&str>) -> Result<Option<String>, Problem> {
    let cleaned = hocvuso_core::text::clean_line("course", asked.unwrap_or(""), 100).map_err(Problem::bad_request)?;
    Ok(Some(cleaned).filter(|c| !c.is_empty()))
}

/// A row of the list: what an officer needs to find and call the person. The ID number is not
/// shown; the phone is shown as the people list shows it, to the same right (viewing people).
pub struct NotStartedRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub groups: String,
    pub phone: String,
}

fn groups_text(tr: Tr, p: &Person) -> String {
    p.groups()
        .iter()
        .map(|g| tr.get(&g.label_key()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(tr: Tr, p: &Person) -> NotStartedRow {
    NotStartedRow {
        id: p.id,
        name: p.full_name.clone(),
        unit: p.unit_name.clone(),
        groups: groups_text(tr, p),
        phone: p.phone.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "units/not_started.html")]
struct NotStartedPage {
    l: Layout,
    unit: Unit,
    year: i32,
    total: String,
    people: Vec<NotStartedRow>,
    courses: Vec<CourseChoice>,
    course: String,
    course_title: Option<String>,
    groups: Vec<(String, String)>,
    group: String,
    next: Option<String>,
    prev: Option<String>,
    /// The query string of the export link (the same filters).
    export: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NotStartedQuery {
    year: Option<String>,
    course: Option<String>,
    #[serde(default)]
    group: String,
    after: Option<String>,
    before: Option<String>,
}

/// The query string of a link to the list with these filters, starting at `cursor`.
fn link(year: i32, course: &str, group: &str, cursor: (&str, &str)) -> String {
    let year = year.to_string();
    let pairs: Vec<(&str, &str)> = [("year", year.as_str()), ("course", course), ("group", group), cursor]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    format!("?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

pub(super) async fn not_started_page(
    State(state): State<AppState>,
    tr: Tr,
    parts: Parts0,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<NotStartedQuery>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    let year = year_of(q.year.as_deref())?;
    let course = course_of(q.course.as_deref())?;
    // An unknown group is no filter, as on the people list.
    let group = TargetGroup::ALL.into_iter().find(|g| g.as_str() == q.group);
    let at = match (q.before.as_deref(), q.after.as_deref()) {
        (Some(b), _) => PageAt::Before(b),
        (None, Some(a)) => PageAt::After(a),
        (None, None) => PageAt::First,
    };
    let req = NotStartedRequest {
        year,
        course: course.as_deref(),
        group,
        at,
        limit: PAGE,
        count: true,
        via: Via::Page,
    };
    let lang = content_lang(tr);
    let listed = app_learning::not_started(&state.app, &v.principal, &unit, req, lang).await?;
    let total = match listed.total {
        Some(Total::Exact(n)) => {
            tr.msg(&hocvuso_core::i18n::Message::new("not-started-total").arg("count", tr.num(&n)))
        }
        _ => tr.msg(
            &hocvuso_core::i18n::Message::new("people-total-not-counted")
                .arg("count", tr.num(&hocvuso_db::people::COUNT_BOUND)),
        ),
    };
    let course_slug = listed.course.as_ref().map(|c| c.slug.clone()).unwrap_or_default();
    let group_str = group.map(|g| g.as_str()).unwrap_or("");
    let page = listed.page;
    let next = page
        .next_cursor
        .map(|c| link(year, &course_slug, group_str, ("after", &c)));
    let prev = page
        .prev_cursor
        .map(|c| link(year, &course_slug, group_str, ("before", &c)));
    let export = v
        .principal
        .can(Action::ExportPeople, &unit.path)
        .then(|| link(year, &course_slug, group_str, ("", "")));
    html(&NotStartedPage {
        l: Layout::for_viewer(tr, &parts.0, &v),
        year,
        total,
        people: page.people.iter().map(|p| row(tr, p)).collect(),
        courses: app_learning::course_choices(&state.app, lang).await?,
        course_title: listed.course.map(|c| c.title),
        course: course_slug,
        groups: TargetGroup::ALL
            .into_iter()
            .map(|g| (g.as_str().to_string(), tr.get(&g.label_key())))
            .collect(),
        group: group_str.to_string(),
        next,
        prev,
        export,
        unit,
    })
}

// ---- spreadsheets ------------------------------------------------------------------------------

/// The figures sheet's text, in the reader's language, prepared before the blocking task.
pub struct FiguresSheet {
    pub sheet: String,
    pub course: String,
    pub counts: [String; 3],
    pub groups: Vec<String>,
    pub total: String,
}

impl FiguresSheet {
    fn new(tr: Tr) -> FiguresSheet {
        FiguresSheet {
            sheet: tr.get("figures-xlsx-sheet"),
            course: tr.get("figures-xlsx-course"),
            counts: [
                tr.get("unit-learning-enrolled"),
                tr.get("unit-learning-started"),
                tr.get("unit-learning-completed"),
            ],
            groups: TargetGroup::ALL.into_iter().map(|g| tr.get(&g.label_key())).collect(),
            total: tr.get("figures-xlsx-total"),
        }
    }
}

/// One header row (course, the three counts, then the three counts of each target group), a row
/// per course, a total row. Numbers are numbers, not text: the sheet can sum and chart them.
pub fn figures_workbook(text: &FiguresSheet, f: &UnitFigures) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(&text.sheet)?;
    let mut header = vec![text.course.clone()];
    header.extend(text.counts.iter().cloned());
    for g in &text.groups {
        header.extend(text.counts.iter().map(|c| format!("{g}: {c}")));
    }
    for (col, h) in (0u16..).zip(&header) {
        sheet.write_string_with_format(0, col, h, &bold)?;
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_range_width(1, (header.len() as u16).saturating_sub(1), 14)?;
    let counts = |c: &app_learning::Counts| [c.enrolled, c.started, c.completed];
    // A course's numbers in the header's order: all learners, then each group's.
    let numbers = |all: &app_learning::Counts, by_group: &[(TargetGroup, app_learning::Counts)]| -> Vec<i64> {
        let mut row = counts(all).to_vec();
        for g in TargetGroup::ALL {
            let n = by_group.iter().find(|(x, _)| *x == g).map(|(_, n)| counts(n));
            row.extend(n.unwrap_or_default());
        }
        row
    };
    let mut sums = vec![0i64; 3 * TargetGroup::ALL.len()];
    let mut r: u32 = 1;
    for course in &f.courses {
        sheet.write_string(r, 0, &course.title)?;
        let row = numbers(&course.all, &course.by_group);
        for (i, (col, n)) in (1u16..).zip(&row).enumerate() {
            sheet.write_number(r, col, *n as f64)?;
            if i >= 3 {
                sums[i - 3] += n;
            }
        }
        r += 1;
    }
    // The total of all learners is the figures' own; each group's is the sum of its courses.
    sheet.write_string_with_format(r, 0, &text.total, &bold)?;
    for (col, n) in (1u16..).zip(counts(&f.total).into_iter().chain(sums)) {
        sheet.write_number_with_format(r, col, n as f64, &bold)?;
    }
    book.save_to_buffer()
}

#[derive(Deserialize)]
pub(super) struct YearQuery {
    year: Option<String>,
}

/// The unit's learning figures of a year as a spreadsheet, for those who may see them.
pub(super) async fn figures_xlsx(
    State(state): State<AppState>,
    tr: Tr,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    let year = year_of(q.year.as_deref())?;
    let f = app_learning::unit_figures(&state.app, &v.principal, &unit.path, year, content_lang(tr)).await?;
    let text = FiguresSheet::new(tr);
    let bytes = build(move || figures_workbook(&text, &f)).await?;
    attachment(bytes, XLSX, &format!("hoc-tap-{}-{year}.xlsx", file_part(&unit.code)))
}

#[derive(Deserialize)]
pub(super) struct ExportQuery {
    year: Option<String>,
    course: Option<String>,
    #[serde(default)]
    group: String,
}

/// The list of those who have not started as a spreadsheet (audited as an export).
pub(super) async fn not_started_xlsx(
    State(state): State<AppState>,
    tr: Tr,
    v: Viewer,
    Path(code): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, Problem> {
    let unit = load_unit(&state, &code).await?;
    let year = year_of(q.year.as_deref())?;
    let course = course_of(q.course.as_deref())?;
    let group = TargetGroup::ALL.into_iter().find(|g| g.as_str() == q.group);
    let listed = app_learning::not_started_export(
        &state.app,
        &v.principal,
        &unit,
        year,
        course.as_deref(),
        group,
        content_lang(tr),
    )
    .await?;
    let header = [
        tr.get("field-full_name"),
        tr.get("not-started-unit"),
        tr.get("field-groups"),
        tr.get("field-phone"),
    ];
    let sheet_name = tr.get("not-started-xlsx-sheet");
    let rows: Vec<[String; 4]> = listed
        .people
        .iter()
        .map(|p| {
            let r = row(tr, p);
            [r.name, r.unit, r.groups, r.phone]
        })
        .collect();
    let bytes = build(move || {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        // A phone number is text: as a number the spreadsheet drops its leading zero.
        let text = Format::new().set_num_format("@");
        let sheet = book.add_worksheet();
        sheet.set_name(&sheet_name)?;
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        sheet.set_column_width(0, 30)?;
        sheet.set_column_width(1, 24)?;
        sheet.set_column_width(2, 30)?;
        sheet.set_column_width(3, 16)?;
        sheet.set_column_format(3, &text)?;
        for (i, r) in rows.iter().enumerate() {
            let n = i as u32 + 1;
            sheet.write_string(n, 0, &r[0])?;
            sheet.write_string(n, 1, &r[1])?;
            sheet.write_string(n, 2, &r[2])?;
            sheet.write_string_with_format(n, 3, &r[3], &text)?;
        }
        book.save_to_buffer()
    })
    .await?;
    let mut file = format!("chua-bat-dau-{}-{year}", file_part(&unit.code));
    if let Some(c) = &listed.course {
        file.push('-');
        file.push_str(&file_part(&c.slug));
    }
    attachment(bytes, XLSX, &format!("{file}.xlsx"))
}
