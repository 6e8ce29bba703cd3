//! Tests as rules: what a test draws (its blueprint: n items per competence and level, a pass
//! mark per competence, a time limit), who may start another final attempt and when, and how an
//! attempt is scored — per competence, on the server, from the items as they were shown.

use super::item::{Item, Response};
use crate::i18n::Message;
use crate::learning::CompetenceRef;
use crate::people::TargetGroup;
use std::collections::{BTreeMap, HashMap, HashSet};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Short, across the learner's required competences: says what to learn next.
    Placement,
    /// After a course's lessons, unlimited, with the right answers and explanations afterwards.
    Practice,
    /// The assessment of a target group: counts towards attainment.
    Final,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Placement, Kind::Practice, Kind::Final];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Placement => "placement",
            Kind::Practice => "practice",
            Kind::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the learner sees the right answers and explanations once the attempt is scored.
    /// A final assessment shows only its per-competence result: its items are drawn again for the
    /// next attempt.
    pub fn shows_answers(self) -> bool {
        !matches!(self, Kind::Final)
    }
}

/// How an attempt was taken: by the learner, or conducted in person by a helper or an officer on
/// their own device (the elderly, people with disabilities); the record says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Online,
    InPerson,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Online, Mode::InPerson];
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Online => "online",
            Mode::InPerson => "in_person",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One part of a blueprint: `count` items drawn from the pool of a competence at a level, of which
/// `pass` must be right for the competence to count as passed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Draw {
    pub competence: CompetenceRef,
    pub level: String,
    pub count: usize,
    pub pass: usize,
}

/// What a test draws and how long it may take. Stored with each attempt, so a later change of the
/// requirements does not change an attempt already started.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Blueprint {
    pub kind: Kind,
    pub group: Option<TargetGroup>,
    pub draws: Vec<Draw>,
    /// Minutes from the start; `None`: no limit.
    pub minutes: Option<u32>,
}

/// Items per competence of a final assessment, and how many must be right.
pub const FINAL_ITEMS_PER_COMPETENCE: usize = 3;
pub const FINAL_PASS_PER_COMPETENCE: usize = 2;
/// Minutes allowed per item of a final assessment (reading slowly on a phone included).
pub const FINAL_MINUTES_PER_ITEM: u32 = 2;
pub const PRACTICE_ITEMS: usize = 5;
/// Final attempts: at most this many in [`FINAL_WINDOW_DAYS`], each at least [`FINAL_GAP_HOURS`]
/// after the one before.
pub const FINAL_MAX_ATTEMPTS: usize = 3;
pub const FINAL_WINDOW_DAYS: i64 = 30;
pub const FINAL_GAP_HOURS: i64 = 24;
/// A save or a submission this late after the deadline still counts (the request was on its
/// way when the clock ran out); later ones are refused.
pub const GRACE_SECONDS: i64 = 15;

/// (competence, level) pairs as a group's requirement table lists them, each once.
pub type Cell = (CompetenceRef, String);

fn unique(cells: &[Cell]) -> Vec<Cell> {
    let mut seen = HashSet::new();
    cells.iter().filter(|c| seen.insert((*c).clone())).cloned().collect()
}

impl Blueprint {
    /// One item per required competence at its required level: short, and enough to say where to
    /// start.
    pub fn placement(group: TargetGroup, cells: &[Cell]) -> Blueprint {
        Blueprint {
            kind: Kind::Placement,
            group: Some(group),
            draws: unique(cells)
                .into_iter()
                .map(|(competence, level)| Draw {
                    competence,
                    level,
                    count: 1,
                    pass: 1,
                })
                .collect(),
            minutes: None,
        }
    }

    /// The final assessment of a group: every required competence at its level, a pass mark each.
    pub fn final_for(group: TargetGroup, cells: &[Cell]) -> Blueprint {
        let draws: Vec<Draw> = unique(cells)
            .into_iter()
            .map(|(competence, level)| Draw {
                competence,
                level,
                count: FINAL_ITEMS_PER_COMPETENCE,
                pass: FINAL_PASS_PER_COMPETENCE,
            })
            .collect();
        let items: usize = draws.iter().map(|d| d.count).sum();
        Blueprint {
            kind: Kind::Final,
            group: Some(group),
            draws,
            minutes: Some(
                u32::try_from(items)
                    .unwrap_or(u32::MAX / 4)
                    .saturating_mul(FINAL_MINUTES_PER_ITEM),
            ),
        }
    }

    /// A practice quiz on a course's competences at its level, spread over them.
    pub fn practice(cells: &[Cell]) -> Blueprint {
        let cells = unique(cells);
        let mut draws: Vec<Draw> = cells
            .iter()
            .map(|(competence, level)| Draw {
                competence: competence.clone(),
                level: level.clone(),
                count: 0,
                pass: 0,
            })
            .collect();
        if !draws.is_empty() {
            for i in 0..PRACTICE_ITEMS {
                let n = draws.len();
                draws[i % n].count += 1;
            }
        }
        for d in &mut draws {
            d.pass = d.count.div_ceil(2);
        }
        draws.retain(|d| d.count > 0);
        Blueprint {
            kind: Kind::Practice,
            group: None,
            draws,
            minutes: None,
        }
    }

    pub fn items(&self) -> usize {
        self.draws.iter().map(|d| d.count).sum()
    }

    /// The deadline of an attempt started at `started`.
    pub fn deadline(&self, started: OffsetDateTime) -> Option<OffsetDateTime> {
        self.minutes.map(|m| started + Duration::minutes(i64::from(m)))
    }

    /// Picks the items of one attempt: for each draw, `count` different ids from `pool(draw)`
    /// (the live items of that competence and level), in random order. A pool too small for its
    /// draw is named — a practice quiz takes what there is; a placement or final test cannot start.
    ///
    /// `seen` counts how often the learner was already shown each item (in any test, practice
    /// included, where the right answers are shown). Items seen least are taken first, at random
    /// among equals: with a pool of `p` items and `count` per attempt, a learner's first `p /
    /// count` attempts share no question, and a final cannot be passed by having practised its
    /// very items while unseen ones remain.
    pub fn draw(
        &self,
        mut pool: impl FnMut(&Draw) -> Vec<i64>,
        seen: &HashMap<i64, u32>,
        rng: &mut impl rand::Rng,
    ) -> Result<Vec<Drawn>, Vec<Message>> {
        use rand::seq::SliceRandom;
        let mut out = Vec::new();
        let mut short = Vec::new();
        for (cell, d) in self.draws.iter().enumerate() {
            let mut ids = pool(d);
            ids.sort_unstable();
            ids.dedup();
            if ids.len() < d.count && self.kind != Kind::Practice {
                short.push(
                    Message::new("err-exam-pool-short")
                        .arg(
                            "competence",
                            format!("{}:{}", d.competence.framework, d.competence.code),
                        )
                        .arg("level", d.level.clone())
                        .arg("have", ids.len())
                        .arg("need", d.count),
                );
                continue;
            }
            ids.shuffle(rng);
            // Stable: the shuffle stays the tie-break among items seen equally often.
            ids.sort_by_key(|id| seen.get(id).copied().unwrap_or(0));
            for id in ids.iter().take(d.count) {
                out.push(Drawn {
                    cell,
                    item_id: *id,
                    seed: rng.r#gen(),
                });
            }
        }
        if !short.is_empty() {
            return Err(short);
        }
        if out.is_empty() {
            return Err(vec![Message::new("err-exam-no-items")]);
        }
        // Competences mixed rather than one block after another.
        out.shuffle(rng);
        Ok(out)
    }
}

/// One drawn item of an attempt: the blueprint part it answers for and its shuffle seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drawn {
    pub cell: usize,
    pub item_id: i64,
    pub seed: u64,
}

/// Whether a learner may start a final attempt now, given when their earlier final attempts for
/// the same group started; the refusal says when they may.
pub fn may_start_final(earlier: &[OffsetDateTime], now: OffsetDateTime) -> Result<(), Message> {
    let window_start = now - Duration::days(FINAL_WINDOW_DAYS);
    let mut recent: Vec<OffsetDateTime> = earlier.iter().copied().filter(|t| *t > window_start).collect();
    recent.sort();
    if let Some(last) = recent.last() {
        let next = *last + Duration::hours(FINAL_GAP_HOURS);
        if next > now {
            return Err(Message::new("err-exam-too-soon")
                .arg("hours", FINAL_GAP_HOURS)
                .arg("at", crate::i18n::format_datetime(next)));
        }
    }
    if recent.len() >= FINAL_MAX_ATTEMPTS {
        let next = recent[recent.len() - FINAL_MAX_ATTEMPTS] + Duration::days(FINAL_WINDOW_DAYS);
        return Err(Message::new("err-exam-attempts-used")
            .arg("max", FINAL_MAX_ATTEMPTS)
            .arg("days", FINAL_WINDOW_DAYS)
            .arg("at", crate::i18n::format_datetime(next)));
    }
    Ok(())
}

/// Whether an answer or a submission arriving `at` is still in time.
pub fn in_time(deadline: Option<OffsetDateTime>, at: OffsetDateTime) -> bool {
    deadline.is_none_or(|d| at <= d + Duration::seconds(GRACE_SECONDS))
}

/// The result of one blueprint part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellScore {
    pub competence: CompetenceRef,
    pub level: String,
    pub right: usize,
    pub total: usize,
    pub pass: usize,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Score {
    pub cells: Vec<CellScore>,
    pub right: usize,
    pub total: usize,
    /// Every part passed.
    pub passed: bool,
}

/// One item of an attempt as stored: which part it counts for, the item as shown, its seed and the
/// learner's last answer.
pub struct Answered<'a> {
    pub cell: usize,
    pub item: &'a Item,
    pub seed: u64,
    pub response: Option<&'a Response>,
}

/// Scores an attempt per blueprint part; an unanswered item is wrong.
pub fn score(blueprint: &Blueprint, answered: &[Answered<'_>]) -> Score {
    let mut by_cell: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for a in answered {
        let e = by_cell.entry(a.cell).or_default();
        e.1 += 1;
        if a.response.is_some_and(|r| a.item.is_correct(a.seed, r)) {
            e.0 += 1;
        }
    }
    let cells: Vec<CellScore> = blueprint
        .draws
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let (right, total) = by_cell.get(&i).copied()?;
            let pass = d.pass.min(total);
            Some(CellScore {
                competence: d.competence.clone(),
                level: d.level.clone(),
                right,
                total,
                pass,
                passed: right >= pass,
            })
        })
        .collect();
    Score {
        right: cells.iter().map(|c| c.right).sum(),
        total: cells.iter().map(|c| c.total).sum(),
        passed: !cells.is_empty() && cells.iter().all(|c| c.passed),
        cells,
    }
}

/// Reads a learner's answer from a form as display positions: `choice` fields for single and
/// multiple choice and true/false ("true"/"false"), `step` fields (in order) for ordering and
/// matching. `None` when the form does not answer the item (nothing chosen, a position out of
/// range, a step twice).
pub fn read_answer(shown: &super::item::Shown, fields: &[(String, String)]) -> Option<Response> {
    use super::item::Shown;
    let values = |name: &str| -> Vec<&str> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let position = |v: &str, n: usize| v.parse::<usize>().ok().filter(|p| (1..=n).contains(p));
    match shown {
        Shown::OneOf(options) => {
            let v = values("choice");
            match v.as_slice() {
                [one] => position(one, options.len()).map(Response::One),
                _ => None,
            }
        }
        Shown::SomeOf(options) => {
            let v = values("choice");
            if v.is_empty() {
                return None;
            }
            let set: Option<std::collections::BTreeSet<usize>> = v.iter().map(|x| position(x, options.len())).collect();
            set.map(Response::Several)
        }
        Shown::TrueFalse => match values("choice").as_slice() {
            ["true"] => Some(Response::Truth(true)),
            ["false"] => Some(Response::Truth(false)),
            _ => None,
        },
        Shown::Order(options) | Shown::Match { right: options, .. } => {
            let n = match shown {
                Shown::Match { left, .. } => left.len(),
                _ => options.len(),
            };
            // step1 … stepN: the position chosen for the k-th place (ordering) or the k-th left
            // item (matching).
            let mut out = Vec::with_capacity(n);
            for k in 1..=n {
                let v = values(&format!("step{k}"));
                let [one] = v.as_slice() else { return None };
                out.push(position(one, options.len())?);
            }
            let distinct: HashSet<usize> = out.iter().copied().collect();
            (distinct.len() == out.len()).then_some(Response::Sequence(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assessment::item::{Body, Difficulty, ItemText};
    use crate::learning::ContentLang;
    use rand::SeedableRng;

    fn cref(code: &str) -> CompetenceRef {
        CompetenceRef::parse(&format!("digcomp22:{code}")).unwrap()
    }

    fn cells() -> Vec<Cell> {
        vec![
            (cref("1.1"), "3".into()),
            (cref("4.1"), "3".into()),
            (cref("1.1"), "3".into()),
        ]
    }

    fn single(code: &str, correct: usize) -> Item {
        Item {
            code: code.into(),
            competence: cref("4.1"),
            level: "3".into(),
            difficulty: Difficulty::Easy,
            body: Body::SingleChoice { options: 3, correct },
            picture: None,
            texts: vec![(
                ContentLang::Vi,
                ItemText {
                    picture_alt: String::new(),
                    stem: "Câu hỏi".into(),
                    options: vec!["Một".into(), "Hai".into(), "Ba".into()],
                    matches: vec![],
                    explanation: "Vì vậy.".into(),
                },
            )],
        }
    }

    #[test]
    fn blueprints_follow_the_requirements() {
        let p = Blueprint::placement(TargetGroup::PublicStaff, &cells());
        assert_eq!(p.draws.len(), 2, "a competence listed twice is drawn once");
        assert_eq!(p.items(), 2);
        assert_eq!(p.minutes, None);
        let f = Blueprint::final_for(TargetGroup::PublicStaff, &cells());
        assert_eq!(f.items(), 2 * FINAL_ITEMS_PER_COMPETENCE);
        assert_eq!(
            f.minutes,
            Some(2 * FINAL_ITEMS_PER_COMPETENCE as u32 * FINAL_MINUTES_PER_ITEM)
        );
        assert!(f.draws.iter().all(|d| d.pass == FINAL_PASS_PER_COMPETENCE));
        let q = Blueprint::practice(&cells());
        assert_eq!(q.items(), PRACTICE_ITEMS);
        assert_eq!(q.draws.iter().map(|d| d.count).collect::<Vec<_>>(), vec![3, 2]);
        assert_eq!(Blueprint::practice(&[]).items(), 0);
    }

    #[test]
    fn a_draw_takes_different_items_and_names_short_pools() {
        let f = Blueprint::final_for(TargetGroup::PublicStaff, &cells());
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let drawn = f
            .draw(
                |d| match d.competence.code.as_str() {
                    "1.1" => vec![1, 2, 3, 4, 5, 5],
                    _ => vec![10, 11, 12],
                },
                &HashMap::new(),
                &mut rng,
            )
            .unwrap();
        assert_eq!(drawn.len(), 6);
        let ids: HashSet<i64> = drawn.iter().map(|d| d.item_id).collect();
        assert_eq!(ids.len(), 6, "no item twice");
        for d in &drawn {
            let want_cell = if d.item_id >= 10 { 1 } else { 0 };
            assert_eq!(d.cell, want_cell);
        }
        let err = f
            .draw(
                |d| {
                    if d.competence.code == "1.1" {
                        vec![1, 2]
                    } else {
                        vec![10, 11, 12]
                    }
                },
                &HashMap::new(),
                &mut rng,
            )
            .unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].key, "err-exam-pool-short");
        // Practice takes what there is.
        let q = Blueprint::practice(&cells());
        assert_eq!(q.draw(|_| vec![1], &HashMap::new(), &mut rng).unwrap().len(), 2);
        assert_eq!(
            q.draw(|_| vec![], &HashMap::new(), &mut rng).unwrap_err()[0].key,
            "err-exam-no-items"
        );
    }

    #[test]
    fn items_seen_least_are_drawn_first() {
        let f = Blueprint::final_for(TargetGroup::PublicStaff, &cells());
        let pool = |d: &Draw| -> Vec<i64> {
            let base = if d.competence.code == "1.1" { 0 } else { 100 };
            (base..base + 16).collect()
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut seen: HashMap<i64, u32> = HashMap::new();
        let mut shown: Vec<HashSet<i64>> = Vec::new();
        // 16 items a cell, 3 drawn: five attempts in a row never repeat a question.
        for _ in 0..5 {
            let ids: HashSet<i64> = f
                .draw(pool, &seen, &mut rng)
                .unwrap()
                .iter()
                .map(|d| d.item_id)
                .collect();
            assert_eq!(ids.len(), 6);
            for earlier in &shown {
                assert!(earlier.is_disjoint(&ids), "{earlier:?} and {ids:?} share a question");
            }
            for id in &ids {
                *seen.entry(*id).or_default() += 1;
            }
            shown.push(ids);
        }
        // The sixth must repeat (16 = 5 × 3 + 1): it takes the one unseen item of each cell, then
        // items seen once.
        let sixth: Vec<i64> = f
            .draw(pool, &seen, &mut rng)
            .unwrap()
            .iter()
            .map(|d| d.item_id)
            .collect();
        let unseen: Vec<i64> = (0..16).chain(100..116).filter(|i| !seen.contains_key(i)).collect();
        assert_eq!(unseen.len(), 2);
        assert!(unseen.iter().all(|i| sixth.contains(i)), "{unseen:?} not in {sixth:?}");
        // Without a history the draw still varies: two fresh draws are not always the same.
        let a: HashSet<i64> = f
            .draw(pool, &HashMap::new(), &mut rng)
            .unwrap()
            .iter()
            .map(|d| d.item_id)
            .collect();
        let differs = (0..20).any(|_| {
            let b: HashSet<i64> = f
                .draw(pool, &HashMap::new(), &mut rng)
                .unwrap()
                .iter()
                .map(|d| d.item_id)
                .collect();
            a != b
        });
        assert!(differs);
    }

    #[test]
    fn final_attempts_wait_and_are_counted_in_a_window() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert!(may_start_final(&[], now).is_ok());
        let e = may_start_final(&[now - Duration::hours(23)], now).unwrap_err();
        assert_eq!(e.key, "err-exam-too-soon");
        assert!(may_start_final(&[now - Duration::hours(25)], now).is_ok());
        let three = [
            now - Duration::days(3),
            now - Duration::days(2),
            now - Duration::days(1),
        ];
        assert_eq!(may_start_final(&three, now).unwrap_err().key, "err-exam-attempts-used");
        let old = [
            now - Duration::days(40),
            now - Duration::days(2),
            now - Duration::days(1),
        ];
        assert!(
            may_start_final(&old, now).is_ok(),
            "an attempt older than the window does not count"
        );
    }

    #[test]
    fn the_clock_allows_a_short_grace_only() {
        let t = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert!(in_time(None, t));
        assert!(in_time(Some(t), t + Duration::seconds(GRACE_SECONDS)));
        assert!(!in_time(Some(t), t + Duration::seconds(GRACE_SECONDS + 1)));
    }

    #[test]
    fn scoring_is_per_competence_and_unanswered_is_wrong() {
        let f = Blueprint::final_for(TargetGroup::PublicStaff, &cells());
        let item = single("a", 0);
        let seed = 42;
        let shown = item.present(ContentLang::Vi, seed);
        let crate::assessment::item::Shown::OneOf(opts) = &shown.shown else {
            panic!()
        };
        let right_pos = opts.iter().position(|o| o == "Một").unwrap() + 1;
        let wrong_pos = if right_pos == 1 { 2 } else { 1 };
        let right = Response::One(right_pos);
        let wrong = Response::One(wrong_pos);
        let answered = [
            Answered {
                cell: 0,
                item: &item,
                seed,
                response: Some(&right),
            },
            Answered {
                cell: 0,
                item: &item,
                seed,
                response: Some(&right),
            },
            Answered {
                cell: 0,
                item: &item,
                seed,
                response: None,
            },
            Answered {
                cell: 1,
                item: &item,
                seed,
                response: Some(&right),
            },
            Answered {
                cell: 1,
                item: &item,
                seed,
                response: Some(&wrong),
            },
            Answered {
                cell: 1,
                item: &item,
                seed,
                response: None,
            },
        ];
        let s = score(&f, &answered);
        assert_eq!(
            s.cells.iter().map(|c| (c.right, c.total, c.passed)).collect::<Vec<_>>(),
            vec![(2, 3, true), (1, 3, false)]
        );
        assert!(!s.passed);
        assert_eq!((s.right, s.total), (3, 6));
        let all_right: Vec<Answered<'_>> = (0..6)
            .map(|i| Answered {
                cell: i / 3,
                item: &item,
                seed,
                response: Some(&right),
            })
            .collect();
        assert!(score(&f, &all_right).passed);
        assert!(!score(&f, &[]).passed, "nothing answered passes nothing");
    }

    #[test]
    fn answers_are_read_from_forms_by_position() {
        use crate::assessment::item::Shown;
        let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        let one = Shown::OneOf(vec!["a".into(), "b".into()]);
        assert_eq!(read_answer(&one, &f(&[("choice", "2")])), Some(Response::One(2)));
        assert_eq!(read_answer(&one, &f(&[("choice", "3")])), None);
        assert_eq!(read_answer(&one, &f(&[("choice", "1"), ("choice", "2")])), None);
        assert_eq!(read_answer(&one, &f(&[])), None);
        let some = Shown::SomeOf(vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(
            read_answer(&some, &f(&[("choice", "1"), ("choice", "3")])),
            Some(Response::Several([1, 3].into()))
        );
        assert_eq!(read_answer(&some, &f(&[("choice", "0")])), None);
        assert_eq!(
            read_answer(&Shown::TrueFalse, &f(&[("choice", "false")])),
            Some(Response::Truth(false))
        );
        assert_eq!(read_answer(&Shown::TrueFalse, &f(&[("choice", "maybe")])), None);
        let order = Shown::Order(vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(
            read_answer(&order, &f(&[("step1", "3"), ("step2", "1"), ("step3", "2")])),
            Some(Response::Sequence(vec![3, 1, 2]))
        );
        assert_eq!(
            read_answer(&order, &f(&[("step1", "3"), ("step2", "3"), ("step3", "2")])),
            None
        );
        assert_eq!(read_answer(&order, &f(&[("step1", "3"), ("step2", "1")])), None);
        let m = Shown::Match {
            left: vec!["x".into(), "y".into()],
            right: vec!["1".into(), "2".into()],
        };
        assert_eq!(
            read_answer(&m, &f(&[("step1", "2"), ("step2", "1")])),
            Some(Response::Sequence(vec![2, 1]))
        );
    }
}
