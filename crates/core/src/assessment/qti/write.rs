//! A bank as an IMS QTI 2.1 content package (issue 10 §1): what [`super::parse_package`] reads
//! back as the same items, and what another QTI 2.1 tool takes as plain items.
//!
//! Each item is one `assessmentItem` file in its Vietnamese text (`items/<code>.xml`): a
//! `choiceInteraction` for single choice, multiple choice and true/false, an `orderInteraction`,
//! a `matchInteraction`; the key as the response's `correctResponse`, scored by
//! `responseProcessing` (all right or nothing, as the platform scores), the explanation as a
//! `modalFeedback` always shown after answering. Its picture is a file of the package
//! (`media/<code>.jpg`) shown by an `<img>` with its description as `alt`. Each other language
//! is a file of the same resource (`items/<code>.<lang>.xml`, the same choices in the same
//! order, `xml:lang` saying which): a tool that knows nothing of it reads the Vietnamese item.
//! What QTI has no place for rides in the manifest's LOM metadata of the item's resource: the
//! code (an identifier of catalog `hocvuso`), the competence (a classification of purpose
//! `competency`: the framework as the taxon path's source, the competence as its taxon), the
//! level (purpose `skill level`), the difficulty (LOM's own `difficulty`) and the pool (purpose
//! `discipline`, source `hocvuso:pool`).

use super::super::item::{Body, Difficulty, Item, ItemText};
use super::super::moodle_xml::xml_text;
use crate::i18n::Message;
use crate::learning::ContentLang;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The catalog of the LOM identifier that carries an item's code.
pub const CODE_CATALOG: &str = "hocvuso";
/// The taxon path source of the classification that carries an item's pool.
pub const POOL_SOURCE: &str = "hocvuso:pool";

const ITEM_NS: &str = "xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p1\" \
    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
    xsi:schemaLocation=\"http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd\"";

/// LOM's word for a difficulty (its vocabulary has five; the platform uses three of them).
pub fn lom_difficulty(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "easy",
        Difficulty::Medium => "medium",
        Difficulty::Hard => "difficult",
    }
}

/// A difficulty from LOM's vocabulary: the two extremes fall to the nearest the platform has.
pub fn difficulty_of_lom(s: &str) -> Option<Difficulty> {
    match s.trim() {
        "very easy" | "easy" => Some(Difficulty::Easy),
        "medium" => Some(Difficulty::Medium),
        "difficult" | "very difficult" => Some(Difficulty::Hard),
        _ => None,
    }
}

/// An item's QTI identifier: its code when that is an XML name (a code may start with a digit,
/// an identifier may not); the code itself travels in the metadata.
fn identifier(code: &str) -> String {
    if code.starts_with(|c: char| c.is_ascii_alphabetic()) {
        code.to_string()
    } else {
        format!("item-{code}")
    }
}

/// Text as XHTML paragraphs, one per line (the reader turns each back into a line).
fn paragraphs(s: &str) -> String {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{}</p>", xml_text(l)))
        .collect()
}

/// The words a true/false item's two choices show in `lang`. Only Vietnamese and English are
/// written here: no one on the project writes Jrai or Bahnar, so their files keep the
/// Vietnamese words (the reader knows both pairs).
fn truth_words(lang: ContentLang) -> [&'static str; 2] {
    match lang {
        ContentLang::En => ["True", "False"],
        _ => ["Đúng", "Sai"],
    }
}

/// The response declaration and the interaction of `body` in the text `t`.
fn interaction(body: &Body, t: &ItemText, lang: ContentLang) -> (String, String) {
    let choices = |prefix: &str, texts: &[String], tag: &str, extra: &str| -> String {
        texts
            .iter()
            .enumerate()
            .map(|(i, o)| {
                format!(
                    "<{tag} identifier=\"{prefix}{}\"{extra}>{}</{tag}>",
                    i + 1,
                    xml_text(&o.replace('\n', " "))
                )
            })
            .collect::<Vec<_>>()
            .join("\n      ")
    };
    let values =
        |v: Vec<String>| -> String { v.into_iter().map(|v| format!("<value>{v}</value>")).collect::<String>() };
    let declaration = |cardinality: &str, base: &str, key: Vec<String>| {
        format!(
            "<responseDeclaration identifier=\"RESPONSE\" cardinality=\"{cardinality}\" baseType=\"{base}\">\n    \
             <correctResponse>{}</correctResponse>\n  </responseDeclaration>",
            values(key)
        )
    };
    match body {
        Body::SingleChoice { correct, .. } => (
            declaration("single", "identifier", vec![format!("C{}", correct + 1)]),
            format!(
                "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxChoices=\"1\">\n      {}\n    </choiceInteraction>",
                choices("C", &t.options, "simpleChoice", "")
            ),
        ),
        Body::MultipleChoice { correct, .. } => (
            declaration(
                "multiple",
                "identifier",
                correct.iter().map(|c| format!("C{}", c + 1)).collect(),
            ),
            format!(
                "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxChoices=\"0\">\n      {}\n    </choiceInteraction>",
                choices("C", &t.options, "simpleChoice", "")
            ),
        ),
        Body::TrueFalse { answer } => {
            let [yes, no] = truth_words(lang);
            (
                declaration(
                    "single",
                    "identifier",
                    vec![if *answer { "TRUE" } else { "FALSE" }.to_string()],
                ),
                format!(
                    "<choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"false\" maxChoices=\"1\">\n      \
                     <simpleChoice identifier=\"TRUE\">{yes}</simpleChoice>\n      \
                     <simpleChoice identifier=\"FALSE\">{no}</simpleChoice>\n    </choiceInteraction>"
                ),
            )
        }
        Body::Ordering { options } => (
            declaration(
                "ordered",
                "identifier",
                (1..=*options).map(|i| format!("O{i}")).collect(),
            ),
            format!(
                "<orderInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\">\n      {}\n    </orderInteraction>",
                choices("O", &t.options, "simpleChoice", "")
            ),
        ),
        Body::Matching { options } => (
            declaration(
                "multiple",
                "directedPair",
                (1..=*options).map(|i| format!("L{i} R{i}")).collect(),
            ),
            format!(
                "<matchInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxAssociations=\"{options}\">\n      \
                 <simpleMatchSet>\n      {}\n      </simpleMatchSet>\n      <simpleMatchSet>\n      {}\n      </simpleMatchSet>\n    </matchInteraction>",
                choices("L", &t.options, "simpleAssociableChoice", " matchMax=\"1\""),
                choices("R", &t.matches, "simpleAssociableChoice", " matchMax=\"1\"")
            ),
        ),
    }
}

/// One language's `assessmentItem` file of `item`; `picture` is the package name of its picture.
fn item_file(item: &Item, lang: ContentLang, t: &ItemText, picture: Option<&str>) -> String {
    let (declaration, interaction) = interaction(&item.body, t, lang);
    let title = super::super::import::label("", &t.stem);
    let image = match picture {
        Some(p) => format!(
            "\n    <p><img src=\"../{}\" alt=\"{}\"/></p>",
            xml_text(p),
            xml_text(&t.picture_alt)
        ),
        None => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <assessmentItem {ITEM_NS}\n    identifier=\"{id}\" title=\"{title}\" adaptive=\"false\" timeDependent=\"false\" xml:lang=\"{lang}\">\n  \
         {declaration}\n  \
         <outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\"/>\n  \
         <outcomeDeclaration identifier=\"FEEDBACK\" cardinality=\"single\" baseType=\"identifier\"/>\n  \
         <itemBody>\n    {stem}{image}\n    {interaction}\n  </itemBody>\n  \
         <responseProcessing>\n    <responseCondition>\n      <responseIf>\n        \
         <match><variable identifier=\"RESPONSE\"/><correct identifier=\"RESPONSE\"/></match>\n        \
         <setOutcomeValue identifier=\"SCORE\"><baseValue baseType=\"float\">1</baseValue></setOutcomeValue>\n      \
         </responseIf>\n      <responseElse>\n        \
         <setOutcomeValue identifier=\"SCORE\"><baseValue baseType=\"float\">0</baseValue></setOutcomeValue>\n      \
         </responseElse>\n    </responseCondition>\n    \
         <setOutcomeValue identifier=\"FEEDBACK\"><baseValue baseType=\"identifier\">EXPLANATION</baseValue></setOutcomeValue>\n  \
         </responseProcessing>\n  \
         <modalFeedback outcomeIdentifier=\"FEEDBACK\" identifier=\"EXPLANATION\" showHide=\"show\">{explanation}</modalFeedback>\n\
         </assessmentItem>\n",
        id = identifier(&item.code),
        title = xml_text(&title),
        lang = lang.as_str(),
        stem = paragraphs(&t.stem),
        explanation = paragraphs(&t.explanation),
    )
}

/// A LOM vocabulary value.
fn vocabulary(tag: &str, value: &str) -> String {
    format!("<imsmd:{tag}><imsmd:source>LOMv1.0</imsmd:source><imsmd:value>{value}</imsmd:value></imsmd:{tag}>")
}

/// A LOM classification: one taxon under `source`, by id and, when there is one, by name.
fn classification(purpose: &str, source: &str, id: &str, entry: &str) -> String {
    let entry = if entry.is_empty() {
        String::new()
    } else {
        format!(
            "<imsmd:entry><imsmd:string language=\"vi\">{}</imsmd:string></imsmd:entry>",
            xml_text(entry)
        )
    };
    format!(
        "\n          <imsmd:classification>{}<imsmd:taxonPath><imsmd:source><imsmd:string language=\"x-none\">{}</imsmd:string></imsmd:source>\
         <imsmd:taxon><imsmd:id>{}</imsmd:id>{entry}</imsmd:taxon></imsmd:taxonPath></imsmd:classification>",
        vocabulary("purpose", purpose),
        xml_text(source),
        xml_text(id),
    )
}

/// The manifest resource of one item.
fn resource(n: usize, pool: &str, item: &Item, files: &[String]) -> String {
    let main = &files[0];
    let interaction = match item.body {
        Body::SingleChoice { .. } | Body::MultipleChoice { .. } | Body::TrueFalse { .. } => "choiceInteraction",
        Body::Ordering { .. } => "orderInteraction",
        Body::Matching { .. } => "matchInteraction",
    };
    let mut out = format!(
        "\n    <resource identifier=\"RES-{n}\" type=\"imsqti_item_xmlv2p1\" href=\"{main}\">\n      <metadata>\n        \
         <imsmd:lom>\n          <imsmd:general><imsmd:identifier><imsmd:catalog>{CODE_CATALOG}</imsmd:catalog>\
         <imsmd:entry>{code}</imsmd:entry></imsmd:identifier></imsmd:general>\n          \
         <imsmd:educational>{difficulty}</imsmd:educational>",
        code = xml_text(&item.code),
        difficulty = vocabulary("difficulty", lom_difficulty(item.difficulty)),
    );
    out.push_str(&classification(
        "competency",
        &item.competence.framework,
        &item.competence.code,
        "",
    ));
    out.push_str(&classification(
        "skill level",
        &item.competence.framework,
        &item.level,
        "",
    ));
    if !pool.trim().is_empty() {
        out.push_str(&classification("discipline", POOL_SOURCE, "pool", pool));
    }
    let _ = write!(
        out,
        "\n        </imsmd:lom>\n        <imsqti:qtiMetadata><imsqti:interactionType>{interaction}</imsqti:interactionType>\
         <imsqti:feedbackType>nonadaptive</imsqti:feedbackType><imsqti:solutionAvailable>true</imsqti:solutionAvailable>\
         <imsqti:toolName>hocvuso</imsqti:toolName></imsqti:qtiMetadata>\n      </metadata>"
    );
    for f in files {
        let _ = write!(out, "\n      <file href=\"{}\"/>", xml_text(f));
    }
    out.push_str("\n    </resource>");
    out
}

/// A QTI 2.1 content package of `items` (pool, item), each item's picture taken from `pictures`
/// by its stored name. Fails when an item's picture is not there, or the zip cannot be written.
pub fn write_package(items: &[(String, Item)], pictures: &HashMap<String, Vec<u8>>) -> Result<Vec<u8>, Message> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut resources = String::new();
    for (n, (pool, item)) in items.iter().enumerate() {
        // A code is unique in its bank and a plain slug (every way in checks it); the number
        // keeps names apart and inside the package should one not be.
        let stem = if !super::super::bank::is_code(&item.code) {
            format!("item-{}", n + 1)
        } else if files.contains_key(&format!("items/{}.xml", item.code)) {
            format!("{}-{}", item.code, n + 1)
        } else {
            item.code.clone()
        };
        let picture = match &item.picture {
            Some(name) => {
                let bytes = pictures
                    .get(name)
                    .ok_or_else(|| Message::new("err-qti-export-picture").arg("code", item.code.as_str()))?;
                let kind = crate::learning::media::ImageKind::sniff(bytes)
                    .ok_or_else(|| Message::new("err-qti-export-picture").arg("code", item.code.as_str()))?;
                let path = format!("media/{stem}.{}", super::image_extension(kind));
                files.insert(path.clone(), bytes.clone());
                Some(path)
            }
            None => None,
        };
        let mut own = Vec::new();
        for (i, (lang, t)) in item.texts.iter().enumerate() {
            let path = if i == 0 {
                format!("items/{stem}.xml")
            } else {
                format!("items/{stem}.{}.xml", lang.as_str())
            };
            files.insert(path.clone(), item_file(item, *lang, t, picture.as_deref()).into_bytes());
            own.push(path);
        }
        if own.is_empty() {
            continue;
        }
        own.extend(picture);
        resources.push_str(&resource(n + 1, pool, item, &own));
    }
    let manifest = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\" xmlns:imsmd=\"http://ltsc.ieee.org/xsd/LOM\"\n    \
         xmlns:imsqti=\"http://www.imsglobal.org/xsd/imsqti_metadata_v2p1\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n    \
         xsi:schemaLocation=\"http://www.imsglobal.org/xsd/imscp_v1p1 http://www.imsglobal.org/xsd/imscp_v1p1.xsd \
         http://ltsc.ieee.org/xsd/LOM http://www.imsglobal.org/xsd/imsmd_loose_v1p3p2.xsd \
         http://www.imsglobal.org/xsd/imsqti_metadata_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_metadata_v2p1.xsd\"\n    \
         identifier=\"MANIFEST-HOCVUSO\">\n  \
         <metadata><schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion></metadata>\n  \
         <organizations/>\n  <resources>{resources}\n  </resources>\n</manifest>\n"
    );
    files.insert(super::MANIFEST.to_string(), manifest.into_bytes());
    crate::learning::package::write_zip("", &files).map_err(|_| Message::new("err-qti-export-zip"))
}
