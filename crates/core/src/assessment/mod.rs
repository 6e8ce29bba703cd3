//! Assessment as pure data and rules (issue 10): question items mapped to the framework, checked
//! when written or imported, shown to a learner shuffled per attempt without their answer key,
//! and scored on the server. No storage and no HTTP here.

pub mod bank;
pub mod exam;
pub mod gift;
pub mod import;
pub mod item;
pub mod moodle_xml;
pub mod qti;
pub mod xlsx_items;

pub use import::{Defaults, ImportProblem, Imported};
pub use item::{Body, Difficulty, Item, ItemText, Presented, Response, Shown};
