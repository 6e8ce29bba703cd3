//! The learning API: the catalogue and the frameworks (public), and the signed-in learner's
//! progress.

use crate::kit::problem::{Problem, ProblemDto};
use crate::kit::routes::{Access, Routes};
use crate::kit::state::AppState;
use crate::kit::viewer::Viewer;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use hocvuso_app::learning::{self as app, CatalogueFilter, CourseCard};
use hocvuso_core::i18n::Message;
use hocvuso_core::learning::ContentLang;
use hocvuso_core::people::TargetGroup;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub fn router() -> Routes {
    Routes::new()
        .route("/v1/courses", Access::Public, get(list_courses))
        .route("/v1/courses/{course}", Access::Public, get(get_course))
        .route("/v1/frameworks", Access::Public, get(list_frameworks))
        .route("/v1/frameworks/{framework}", Access::Public, get(get_framework))
        .route("/v1/me/progress", Access::Own, get(my_progress))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_courses, get_course, list_frameworks, get_framework, my_progress),
    components(schemas(
        CourseDto,
        CourseDetailDto,
        ModuleDto,
        LessonDto,
        FrameworkSummaryDto,
        ProgressDto,
        CourseProgressDto,
        RequirementDto
    ))
)]
pub struct Doc;

/// A published course as the catalogue lists it.
#[derive(Serialize, ToSchema)]
pub struct CourseDto {
    slug: String,
    title: String,
    summary: String,
    /// The language `title` and `summary` are in: vi, en, jra (Jrai) or bdq (Bahnar).
    lang: String,
    /// The language asked for is missing and Vietnamese is given instead.
    fallback: bool,
    /// Languages the course is written or translated in.
    languages: Vec<String>,
    /// public_staff, student, worker, resident.
    groups: Vec<String>,
    level: String,
    /// `framework:code`, e.g. `digcomp22:4.1`.
    competences: Vec<String>,
    lessons: usize,
    minutes: i64,
}

impl From<CourseCard> for CourseDto {
    fn from(c: CourseCard) -> CourseDto {
        CourseDto {
            slug: c.slug,
            title: c.title,
            summary: c.summary,
            lang: c.lang.as_str().into(),
            fallback: c.fallback,
            languages: c.languages.iter().map(|l| l.as_str().to_string()).collect(),
            groups: c.groups.iter().map(|g| g.as_str().to_string()).collect(),
            level: c.level,
            competences: c.competences.iter().map(|(f, c)| format!("{f}:{c}")).collect(),
            lessons: c.lessons,
            minutes: c.minutes,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CoursesQuery {
    /// Target group: public_staff, student, worker or resident.
    group: Option<String>,
    /// Content language (vi, en, jra, bdq): only courses in it, titles in it.
    lang: Option<String>,
    /// Words of the title or summary, with or without diacritics.
    q: Option<String>,
    /// `framework:code`, e.g. `digcomp22:4.1`.
    competence: Option<String>,
}

fn parse_lang(s: Option<&str>) -> Result<Option<ContentLang>, Problem> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => ContentLang::parse(v).map(Some).ok_or_else(|| {
            Problem::bad_request(
                Message::new("err-api-content-lang").arg("value", v.chars().take(20).collect::<String>()),
            )
        }),
    }
}

/// Published courses, filtered. Public.
#[utoipa::path(get, path = "/api/v1/courses", params(CoursesQuery),
    responses((status = 200, body = [CourseDto]), (status = 400, body = ProblemDto)))]
async fn list_courses(
    State(state): State<AppState>,
    Query(q): Query<CoursesQuery>,
) -> Result<Json<Vec<CourseDto>>, Problem> {
    let group = match q.group.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(g) => Some(TargetGroup::ALL.into_iter().find(|x| x.as_str() == g).ok_or_else(|| {
            Problem::bad_request(Message::new("err-api-group").arg("value", g.chars().take(30).collect::<String>()))
        })?),
    };
    let lang = parse_lang(q.lang.as_deref())?;
    let competence = match q.competence.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(
            c.split_once(':')
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .ok_or_else(|| Problem::bad_request(Message::new("err-learning-competence-form")))?,
        ),
    };
    let filter = CatalogueFilter {
        group,
        lang,
        competence,
        q: q.q.map(|s| s.chars().take(100).collect()),
    };
    let cards = app::catalogue(&state.app, &filter, lang.unwrap_or(ContentLang::Vi)).await?;
    Ok(Json(cards.into_iter().map(CourseDto::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct LessonDto {
    slug: String,
    title: String,
    minutes: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ModuleDto {
    title: String,
    lessons: Vec<LessonDto>,
}

#[derive(Serialize, ToSchema)]
pub struct CourseDetailDto {
    #[serde(flatten)]
    course: CourseDto,
    source_note: String,
    modules: Vec<ModuleDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct LangParam {
    /// Content language (vi, en, jra, bdq); Vietnamese when missing.
    lang: Option<String>,
}

/// A published course with its modules and lessons. Public.
#[utoipa::path(get, path = "/api/v1/courses/{course}", params(("course" = String, Path), LangParam),
    responses((status = 200, body = CourseDetailDto), (status = 400, body = ProblemDto), (status = 404, body = ProblemDto)))]
async fn get_course(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<LangParam>,
) -> Result<Json<CourseDetailDto>, Problem> {
    let lang = parse_lang(q.lang.as_deref())?.unwrap_or(ContentLang::Vi);
    let c = app::course(&state.app, None, &slug, lang).await?;
    Ok(Json(CourseDetailDto {
        source_note: c.source_note,
        modules: c
            .modules
            .into_iter()
            .map(|m| ModuleDto {
                title: m.title,
                lessons: m
                    .lessons
                    .into_iter()
                    .map(|l| LessonDto {
                        slug: l.slug,
                        title: l.title,
                        minutes: l.minutes,
                    })
                    .collect(),
            })
            .collect(),
        course: c.card.into(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FrameworkSummaryDto {
    id: String,
    version: String,
    title: String,
    areas: usize,
    competences: usize,
    levels: usize,
}

/// Every digital-competence framework. Public.
#[utoipa::path(get, path = "/api/v1/frameworks", responses((status = 200, body = [FrameworkSummaryDto])))]
async fn list_frameworks(State(state): State<AppState>) -> Result<Json<Vec<FrameworkSummaryDto>>, Problem> {
    let list = app::frameworks(&state.app).await?;
    Ok(Json(
        list.into_iter()
            .map(|f| FrameworkSummaryDto {
                competences: f.areas.iter().map(|a| a.competences.len()).sum(),
                areas: f.areas.len(),
                levels: f.levels.len(),
                id: f.id,
                version: f.version,
                title: f.title,
            })
            .collect(),
    ))
}

/// One framework whole: its levels, areas and competences, with the source and what is uncertain
/// about its wording (`source_note`, each item's `note`). Public.
#[utoipa::path(get, path = "/api/v1/frameworks/{framework}", params(("framework" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ProblemDto)))]
async fn get_framework(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let f = app::framework(&state.app, &id).await?;
    Ok(Json(serde_json::to_value(&f).map_err(|_| Problem::not_found())?))
}

#[derive(Serialize, ToSchema)]
pub struct CourseProgressDto {
    slug: String,
    title: String,
    done: usize,
    lessons: usize,
    completed: bool,
    /// The lesson to go on with.
    next: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementDto {
    framework: String,
    competence: String,
    level: String,
    lessons_done: usize,
    courses: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressDto {
    courses: Vec<CourseProgressDto>,
    groups: Vec<String>,
    required: Vec<RequirementDto>,
}

/// The signed-in learner's courses and what their target groups must reach.
#[utoipa::path(get, path = "/api/v1/me/progress", params(LangParam), security(("bearer" = [])),
    responses((status = 200, body = ProgressDto), (status = 401, body = ProblemDto)))]
async fn my_progress(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<LangParam>,
) -> Result<Json<ProgressDto>, Problem> {
    let lang = parse_lang(q.lang.as_deref())?.unwrap_or(ContentLang::Vi);
    let m = app::my_learning(&state.app, &v.principal, lang).await?;
    Ok(Json(ProgressDto {
        courses: m
            .courses
            .into_iter()
            .map(|c| CourseProgressDto {
                slug: c.slug,
                title: c.title,
                done: c.done,
                lessons: c.lessons,
                completed: c.completed,
                next: c.next,
            })
            .collect(),
        groups: m.groups.iter().map(|g| g.as_str().to_string()).collect(),
        required: m
            .required
            .into_iter()
            .map(|r| RequirementDto {
                framework: r.framework_id,
                competence: r.competence,
                level: r.level,
                lessons_done: r.lessons_done,
                courses: r.courses,
            })
            .collect(),
    }))
}
