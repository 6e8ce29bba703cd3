//! The web layer's own toolkit, shared by every feature and importing none: application state,
//! the viewer and their principal, CSRF-checked forms, problems rendered as pages or
//! problem+json, translation, the page layout and navigation registry, uploads, formatting,
//! middleware, the route table, the stylesheet and script, and byte ranges for media.

pub mod csrf;
pub mod download;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod range;
pub mod routes;
pub mod script;
pub mod state;
pub mod style;
pub mod throttle;
pub mod upload;
pub mod viewer;
