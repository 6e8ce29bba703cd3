//! A question item: its structure and answer key (language-independent) and its texts per
//! language. What a learner is shown is a [`Presented`] item — a type with no answer key in it, so
//! a correct answer cannot reach the browser before the attempt is scored. Options are shuffled
//! per attempt from a seed the server keeps; the learner answers by display position, which the
//! server maps back with the same seed.

use crate::i18n::Message;
use crate::learning::{CompetenceRef, ContentLang};
use std::collections::BTreeSet;

/// The most options, steps or pairs one item has: enough for any question a learner reads on a
/// phone, and a bound on what an import may ask the server to shuffle and store.
pub const MAX_OPTIONS: usize = 10;
pub const MAX_STEM_CHARS: usize = 2_000;
pub const MAX_OPTION_CHARS: usize = 500;
pub const MAX_EXPLANATION_CHARS: usize = 2_000;
/// A picture's description: a sentence or two, as a lesson picture's.
pub const MAX_PICTURE_ALT_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

impl Difficulty {
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    pub fn parse(s: &str) -> Option<Difficulty> {
        Difficulty::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The shape of an item and its answer key. Option texts live in [`ItemText`], in this order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// Exactly one of `options` is right.
    SingleChoice { options: usize, correct: usize },
    /// Every option in `correct` and no other is right; neither none nor all of them.
    MultipleChoice { options: usize, correct: BTreeSet<usize> },
    /// The stem is a statement, true or false.
    TrueFalse { answer: bool },
    /// `options` steps, written in their right order, put back in order by the learner.
    Ordering { options: usize },
    /// `options` left-hand items, the i-th matching the i-th of `matches` in the texts.
    Matching { options: usize },
}

impl Body {
    fn options(&self) -> usize {
        match self {
            Body::SingleChoice { options, .. }
            | Body::MultipleChoice { options, .. }
            | Body::Ordering { options }
            | Body::Matching { options } => *options,
            Body::TrueFalse { .. } => 0,
        }
    }
}

/// An item's words in one language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemText {
    pub stem: String,
    #[serde(default)]
    pub options: Vec<String>,
    /// The right-hand column of a matching item, in the order that matches `options`.
    #[serde(default)]
    pub matches: Vec<String>,
    /// Shown after the answer: why the right answer is right.
    pub explanation: String,
    /// What the item's picture shows, for a learner who cannot see it (its `alt` text): required
    /// in every language when the item has a picture.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub picture_alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// Stable within its bank (what an export and a re-import match on).
    pub code: String,
    pub competence: CompetenceRef,
    pub level: String,
    pub difficulty: Difficulty,
    pub body: Body,
    /// A scenario item's picture: a file of the bank (`media/<name>`), described in the stem.
    #[serde(default)]
    pub picture: Option<String>,
    /// Vietnamese first; other languages translate the same options in the same order.
    pub texts: Vec<(ContentLang, ItemText)>,
}

/// `lang`: the text at fault, so that an editor puts the problem beside its field.
fn too_long(field: &str, max: usize, lang: &str) -> Message {
    Message::new("err-item-too-long")
        .arg("field", field)
        .arg("max", max)
        .arg("lang", lang)
}

impl Item {
    /// Every problem of the item, each a message saying what to fix; empty when it may be stored.
    pub fn problems(&self) -> Vec<Message> {
        let mut out = Vec::new();
        let n = self.body.options();
        match &self.body {
            Body::SingleChoice { options, correct } => {
                if *correct >= *options {
                    out.push(Message::new("err-item-no-correct"));
                }
            }
            Body::MultipleChoice { options, correct } => {
                if correct.is_empty() {
                    out.push(Message::new("err-item-no-correct"));
                } else if correct.len() >= *options {
                    out.push(Message::new("err-item-all-correct"));
                }
                if correct.iter().any(|c| c >= options) {
                    out.push(Message::new("err-item-no-correct"));
                }
            }
            Body::TrueFalse { .. } => {}
            Body::Ordering { .. } | Body::Matching { .. } => {}
        }
        if !matches!(self.body, Body::TrueFalse { .. }) && !(2..=MAX_OPTIONS).contains(&n) {
            out.push(
                Message::new("err-item-option-count")
                    .arg("n", n)
                    .arg("max", MAX_OPTIONS),
            );
        }
        match self.texts.first() {
            Some((ContentLang::Vi, _)) => {}
            _ => out.push(Message::new("err-item-no-vi")),
        }
        let mut langs = BTreeSet::new();
        for (lang, t) in &self.texts {
            let l = lang.as_str();
            if !langs.insert(l) {
                out.push(Message::new("err-item-lang-twice").arg("lang", l));
            }
            if t.stem.trim().is_empty() {
                out.push(Message::new("err-item-no-stem").arg("lang", l));
            }
            if t.explanation.trim().is_empty() {
                out.push(Message::new("err-item-no-explanation").arg("lang", l));
            }
            if t.stem.chars().count() > MAX_STEM_CHARS {
                out.push(too_long("item-stem", MAX_STEM_CHARS, l));
            }
            if t.explanation.chars().count() > MAX_EXPLANATION_CHARS {
                out.push(too_long("item-explanation", MAX_EXPLANATION_CHARS, l));
            }
            if self.picture.is_some() && t.picture_alt.trim().is_empty() {
                out.push(Message::new("err-item-no-picture-alt").arg("lang", l));
            }
            if t.picture_alt.chars().count() > MAX_PICTURE_ALT_CHARS {
                out.push(too_long("item-picture-alt", MAX_PICTURE_ALT_CHARS, l));
            }
            if t.options.len() != n {
                out.push(
                    Message::new("err-item-options-differ")
                        .arg("lang", l)
                        .arg("theirs", t.options.len())
                        .arg("mine", n),
                );
            }
            let wanted_matches = if matches!(self.body, Body::Matching { .. }) {
                n
            } else {
                0
            };
            if t.matches.len() != wanted_matches {
                out.push(
                    Message::new("err-item-matches-differ")
                        .arg("lang", l)
                        .arg("theirs", t.matches.len())
                        .arg("mine", wanted_matches),
                );
            }
            for column in [&t.options, &t.matches] {
                let mut seen = BTreeSet::new();
                for o in column {
                    if o.trim().is_empty() {
                        out.push(Message::new("err-item-empty-option").arg("lang", l));
                    } else if !seen.insert(o.trim()) {
                        out.push(
                            Message::new("err-item-same-option")
                                .arg("lang", l)
                                .arg("text", o.trim()),
                        );
                    }
                    if o.chars().count() > MAX_OPTION_CHARS {
                        out.push(too_long("item-option", MAX_OPTION_CHARS, l));
                    }
                }
            }
        }
        out
    }

    /// The item as one attempt shows it in `lang` (Vietnamese when it has no such text, said so):
    /// options shuffled by `seed`, numbered by display position, and no answer key.
    pub fn present(&self, lang: ContentLang, seed: u64) -> Presented {
        let (shown_lang, t) = self
            .texts
            .iter()
            .find(|(l, _)| *l == lang)
            .or_else(|| self.texts.first())
            .map(|(l, t)| (*l, t.clone()))
            .unwrap_or((
                ContentLang::Vi,
                ItemText {
                    stem: String::new(),
                    options: Vec::new(),
                    matches: Vec::new(),
                    explanation: String::new(),
                    picture_alt: String::new(),
                },
            ));
        let order = permutation(self.body.options(), seed);
        let pick = |texts: &[String]| order.iter().filter_map(|&i| texts.get(i).cloned()).collect::<Vec<_>>();
        let shown = match &self.body {
            Body::SingleChoice { .. } => Shown::OneOf(pick(&t.options)),
            Body::MultipleChoice { .. } => Shown::SomeOf(pick(&t.options)),
            Body::TrueFalse { .. } => Shown::TrueFalse,
            Body::Ordering { .. } => Shown::Order(pick(&t.options)),
            // The left column stays as written; the right one is shuffled.
            Body::Matching { .. } => Shown::Match {
                left: t.options.clone(),
                right: pick(&t.matches),
            },
        };
        Presented {
            code: self.code.clone(),
            lang: shown_lang,
            fallback: shown_lang != lang,
            stem: t.stem,
            picture: self.picture.clone(),
            picture_alt: t.picture_alt,
            shown,
        }
    }

    /// The right answer as the attempt shown with `seed` asks for it (display positions): what a
    /// review shows once the attempt is scored. `None` for an item with no right answer stored.
    pub fn key(&self, seed: u64) -> Option<Response> {
        let order = permutation(self.body.options(), seed);
        // The option as written → its display position (from 1).
        let shown_at = |i: usize| order.iter().position(|&o| o == i).map(|p| p + 1);
        match &self.body {
            Body::SingleChoice { correct, .. } => shown_at(*correct).map(Response::One),
            Body::MultipleChoice { correct, .. } => correct
                .iter()
                .map(|c| shown_at(*c))
                .collect::<Option<BTreeSet<usize>>>()
                .map(Response::Several),
            Body::TrueFalse { answer } => Some(Response::Truth(*answer)),
            Body::Ordering { options } | Body::Matching { options } => (0..*options)
                .map(shown_at)
                .collect::<Option<Vec<usize>>>()
                .map(Response::Sequence),
        }
    }

    /// Whether `response` (display positions of the attempt shown with `seed`) is right.
    pub fn is_correct(&self, seed: u64, response: &Response) -> bool {
        let order = permutation(self.body.options(), seed);
        // Display position (from 1) → the option as written.
        let original = |p: usize| p.checked_sub(1).and_then(|i| order.get(i).copied());
        match (&self.body, response) {
            (Body::SingleChoice { correct, .. }, Response::One(p)) => original(*p) == Some(*correct),
            (Body::MultipleChoice { correct, .. }, Response::Several(ps)) => {
                let chosen: Option<BTreeSet<usize>> = ps.iter().map(|p| original(*p)).collect();
                chosen.as_ref() == Some(correct)
            }
            (Body::TrueFalse { answer }, Response::Truth(b)) => answer == b,
            (Body::Ordering { options }, Response::Sequence(ps)) => {
                ps.len() == *options && ps.iter().enumerate().all(|(i, p)| original(*p) == Some(i))
            }
            (Body::Matching { options }, Response::Sequence(ps)) => {
                ps.len() == *options && ps.iter().enumerate().all(|(i, p)| original(*p) == Some(i))
            }
            _ => false,
        }
    }
}

/// What a learner is shown of an item: there is no answer key in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Presented {
    pub code: String,
    pub lang: ContentLang,
    /// Shown in Vietnamese because the item has no text in the language asked for.
    pub fallback: bool,
    pub stem: String,
    pub picture: Option<String>,
    /// The picture's description in the language shown.
    pub picture_alt: String,
    pub shown: Shown,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", content = "options", rename_all = "snake_case")]
pub enum Shown {
    OneOf(Vec<String>),
    SomeOf(Vec<String>),
    TrueFalse,
    /// Steps in a shuffled order, to be put right.
    Order(Vec<String>),
    /// Each left item to be matched with one of the shuffled right items.
    Match {
        left: Vec<String>,
        right: Vec<String>,
    },
}

/// A learner's answer, by display position (from 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Response {
    One(usize),
    Several(BTreeSet<usize>),
    Truth(bool),
    /// Ordering: the display positions in the order the learner put them; matching: for each left
    /// item in turn, the display position of the right item chosen.
    Sequence(Vec<usize>),
}

/// The order an attempt shows `n` options in (`order[display] = as written`), the same for the same
/// seed: Fisher–Yates driven by SplitMix64, so it needs no state and no dependency.
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(stem: &str, options: &[&str]) -> ItemText {
        ItemText {
            picture_alt: String::new(),
            stem: stem.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            matches: Vec::new(),
            explanation: "Vì ngân hàng không bao giờ hỏi mã OTP.".into(),
        }
    }

    fn item(body: Body, options: &[&str]) -> Item {
        Item {
            code: "lua-dao-1".into(),
            competence: CompetenceRef {
                framework: "digcomp22".into(),
                code: "4.1".into(),
            },
            level: "1".into(),
            difficulty: Difficulty::Easy,
            body,
            picture: None,
            texts: vec![(ContentLang::Vi, text("Tin nhắn nào là lừa đảo?", options))],
        }
    }

    fn keys(item: &Item) -> Vec<String> {
        item.problems().into_iter().map(|m| m.key).collect()
    }

    const FOUR: [&str; 4] = ["Tin A", "Tin B", "Tin C", "Tin D"];

    #[test]
    fn a_well_made_item_has_no_problem() {
        let i = item(Body::SingleChoice { options: 4, correct: 2 }, &FOUR);
        assert_eq!(keys(&i), Vec::<String>::new());
    }

    #[test]
    fn all_correct_none_correct_and_mismatched_texts_are_refused() {
        let all = item(
            Body::MultipleChoice {
                options: 4,
                correct: BTreeSet::from([0, 1, 2, 3]),
            },
            &FOUR,
        );
        assert_eq!(keys(&all), ["err-item-all-correct"]);
        let none = item(
            Body::MultipleChoice {
                options: 4,
                correct: BTreeSet::new(),
            },
            &FOUR,
        );
        assert_eq!(keys(&none), ["err-item-no-correct"]);
        let outside = item(Body::SingleChoice { options: 4, correct: 4 }, &FOUR);
        assert_eq!(keys(&outside), ["err-item-no-correct"]);
        let one = item(Body::SingleChoice { options: 1, correct: 0 }, &["Tin A"]);
        assert_eq!(keys(&one), ["err-item-option-count"]);
        let mut translated = item(Body::SingleChoice { options: 4, correct: 0 }, &FOUR);
        translated
            .texts
            .push((ContentLang::En, text("Which message is a scam?", &["A", "B", "C"])));
        assert_eq!(keys(&translated), ["err-item-options-differ"]);
        let mut twice = item(Body::SingleChoice { options: 2, correct: 0 }, &["Tin A", " Tin A "]);
        twice.texts[0].1.explanation = " ".into();
        assert_eq!(keys(&twice), ["err-item-no-explanation", "err-item-same-option"]);
        let mut english_only = item(Body::TrueFalse { answer: true }, &[]);
        english_only.texts[0].0 = ContentLang::En;
        assert_eq!(keys(&english_only), ["err-item-no-vi"]);
    }

    #[test]
    fn shuffles_are_permutations_fixed_by_their_seed() {
        for n in 0..=MAX_OPTIONS {
            for seed in [0, 1, 42, u64::MAX] {
                let p = permutation(n, seed);
                let mut sorted = p.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>());
                assert_eq!(p, permutation(n, seed));
            }
        }
        // Seeds differ in what they show: not every attempt sees the written order.
        let orders: BTreeSet<Vec<usize>> = (0..50).map(|s| permutation(4, s)).collect();
        assert!(orders.len() > 10, "{orders:?}");
    }

    #[test]
    fn answers_by_display_position_are_scored_against_the_key() {
        let single = item(Body::SingleChoice { options: 4, correct: 2 }, &FOUR);
        for seed in 0..20 {
            let shown = single.present(ContentLang::Vi, seed);
            let Shown::OneOf(options) = &shown.shown else {
                panic!("{shown:?}")
            };
            let at = options.iter().position(|o| o == "Tin C").unwrap() + 1;
            assert!(single.is_correct(seed, &Response::One(at)));
            for wrong in (1..=4).filter(|p| *p != at) {
                assert!(!single.is_correct(seed, &Response::One(wrong)));
            }
            assert!(!single.is_correct(seed, &Response::One(0)));
            assert!(!single.is_correct(seed, &Response::One(99)));
            assert!(!single.is_correct(seed, &Response::Truth(true)));
        }
        let multiple = item(
            Body::MultipleChoice {
                options: 4,
                correct: BTreeSet::from([0, 3]),
            },
            &FOUR,
        );
        let seed = 7;
        let Shown::SomeOf(options) = multiple.present(ContentLang::Vi, seed).shown else {
            panic!()
        };
        let pos = |t: &str| options.iter().position(|o| o == t).unwrap() + 1;
        assert!(multiple.is_correct(seed, &Response::Several(BTreeSet::from([pos("Tin A"), pos("Tin D")]))));
        assert!(!multiple.is_correct(seed, &Response::Several(BTreeSet::from([pos("Tin A")]))));
        assert!(!multiple.is_correct(
            seed,
            &Response::Several(BTreeSet::from([pos("Tin A"), pos("Tin D"), pos("Tin B")]))
        ));

        let steps = ["Mở VNeID", "Chọn Thủ tục hành chính", "Chọn thủ tục cần làm"];
        let ordering = item(Body::Ordering { options: 3 }, &steps);
        let Shown::Order(shown) = ordering.present(ContentLang::Vi, seed).shown else {
            panic!()
        };
        let put: Vec<usize> = steps
            .iter()
            .map(|s| shown.iter().position(|o| o == s).unwrap() + 1)
            .collect();
        assert!(ordering.is_correct(seed, &Response::Sequence(put.clone())));
        let mut swapped = put;
        swapped.swap(0, 1);
        assert!(!ordering.is_correct(seed, &Response::Sequence(swapped)));

        let mut matching = item(Body::Matching { options: 2 }, &["OTP", "Mật khẩu"]);
        matching.texts[0].1.matches = vec!["Mã dùng một lần".into(), "Điều chỉ mình bạn biết".into()];
        assert_eq!(keys(&matching), Vec::<String>::new());
        let p = matching.present(ContentLang::Vi, seed);
        let Shown::Match { left, right } = &p.shown else {
            panic!()
        };
        assert_eq!(left, &["OTP", "Mật khẩu"]);
        let chosen: Vec<usize> = ["Mã dùng một lần", "Điều chỉ mình bạn biết"]
            .iter()
            .map(|m| right.iter().position(|r| r == m).unwrap() + 1)
            .collect();
        assert!(matching.is_correct(seed, &Response::Sequence(chosen)));

        let tf = item(Body::TrueFalse { answer: false }, &[]);
        assert!(tf.is_correct(1, &Response::Truth(false)));
        assert!(!tf.is_correct(1, &Response::Truth(true)));
    }

    #[test]
    fn problems_read_in_both_languages() {
        use crate::i18n::Lang;
        let m = too_long("item-stem", MAX_STEM_CHARS, "vi");
        assert_eq!(m.render(Lang::Vi), "Nội dung câu hỏi dài quá 2000 ký tự. Rút gọn lại.");
        assert_eq!(
            m.render(Lang::En),
            "The question is longer than 2000 characters. Shorten it."
        );
        let all = item(
            Body::MultipleChoice {
                options: 2,
                correct: BTreeSet::from([0, 1]),
            },
            &["Tin A", "Tin B"],
        );
        assert!(
            all.problems()[0]
                .render(Lang::Vi)
                .starts_with("Mọi phương án của câu hỏi đều được đánh dấu đúng")
        );
    }

    #[test]
    fn what_is_shown_carries_no_answer_key() {
        let i = item(Body::SingleChoice { options: 4, correct: 2 }, &FOUR);
        let json = serde_json::to_string(&i.present(ContentLang::En, 3)).unwrap();
        assert!(
            !json.contains("correct") && !json.contains("explanation") && !json.contains("Vì ngân hàng"),
            "{json}"
        );
        // No English text: Vietnamese, said so.
        let p = i.present(ContentLang::En, 3);
        assert_eq!((p.lang, p.fallback), (ContentLang::Vi, true));
    }
    #[test]
    fn the_key_is_the_right_answer_in_display_positions() {
        use std::collections::BTreeSet;
        let items = [
            Body::SingleChoice { options: 4, correct: 2 },
            Body::MultipleChoice {
                options: 4,
                correct: BTreeSet::from([0, 3]),
            },
            Body::TrueFalse { answer: false },
            Body::Ordering { options: 4 },
            Body::Matching { options: 4 },
        ];
        for body in items {
            let mut item = Item {
                code: "k".into(),
                competence: crate::learning::CompetenceRef::parse("digcomp22:4.1").unwrap(),
                level: "1".into(),
                difficulty: Difficulty::Easy,
                body: body.clone(),
                picture: None,
                texts: vec![],
            };
            for seed in 0..50u64 {
                let key = item.key(seed).unwrap();
                assert!(item.is_correct(seed, &key), "{body:?} seed {seed}");
            }
            item.body = body;
        }
    }
}
