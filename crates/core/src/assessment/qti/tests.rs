use super::*;
use crate::assessment::item::Difficulty;
use crate::learning::CompetenceRef;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

fn defaults() -> Defaults {
    Defaults {
        competence: CompetenceRef::parse("digcomp22:4.1").unwrap(),
        level: "1".into(),
        difficulty: Difficulty::Easy,
    }
}

/// Hand-written QTI 2.1 items (namespace http://www.imsglobal.org/xsd/imsqti_v2p1), by file name.
const FIXTURES: [(&str, &str); 11] = [
    ("choice-single.xml", include_str!("fixtures/choice-single.xml")),
    ("choice-multiple.xml", include_str!("fixtures/choice-multiple.xml")),
    ("true-false.xml", include_str!("fixtures/true-false.xml")),
    ("order.xml", include_str!("fixtures/order.xml")),
    ("match.xml", include_str!("fixtures/match.xml")),
    ("associate.xml", include_str!("fixtures/associate.xml")),
    ("text-entry.xml", include_str!("fixtures/text-entry.xml")),
    ("extended-text.xml", include_str!("fixtures/extended-text.xml")),
    ("no-key.xml", include_str!("fixtures/no-key.xml")),
    ("unknown-choice.xml", include_str!("fixtures/unknown-choice.xml")),
    ("hotspot.xml", include_str!("fixtures/hotspot.xml")),
];

fn fixture(name: &str) -> &'static str {
    FIXTURES.iter().find(|(n, _)| *n == name).map(|(_, x)| *x).unwrap()
}

/// (code, body, stem, options, matches, explanation)
type Row = (String, Body, String, Vec<String>, Vec<String>, String);

fn rows(imported: &Imported) -> Vec<Row> {
    imported
        .items
        .iter()
        .map(|(pool, item)| {
            assert_eq!(pool, "");
            assert_eq!(
                (&item.competence, item.difficulty),
                (&defaults().competence, Difficulty::Easy)
            );
            assert!(item.problems().is_empty());
            let t = &item.texts[0].1;
            (
                item.code.clone(),
                item.body.clone(),
                t.stem.clone(),
                t.options.clone(),
                t.matches.clone(),
                t.explanation.clone(),
            )
        })
        .collect()
}

fn problems(imported: &Imported) -> Vec<(String, Option<usize>, String)> {
    imported
        .problems
        .iter()
        .map(|p| (p.question.clone(), p.line, p.message.key.clone()))
        .collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn expected() -> Vec<Row> {
    vec![
        (
            "tin-nhan-otp".into(),
            Body::SingleChoice { options: 3, correct: 1 },
            "Bạn nhận được tin nhắn: “Tài khoản của bạn bị khoá, gửi mã OTP để mở lại”.\nBạn nên làm gì?".into(),
            s(&[
                "Gửi mã OTP ngay",
                "Không gửi, gọi tổng đài in trên thẻ ngân hàng",
                "Bấm vào đường link trong tin",
            ]),
            vec![],
            "Ngân hàng không bao giờ hỏi mã OTP; hãy tự gọi số tổng đài chính thức.".into(),
        ),
        (
            "dau-hieu-lua-dao".into(),
            Body::MultipleChoice {
                options: 3,
                correct: BTreeSet::from([0, 1]),
            },
            "Những dấu hiệu nào cho thấy một tin nhắn có thể là lừa đảo?".into(),
            s(&[
                "Giục bạn làm ngay kẻo mất tiền",
                "Xin mã OTP",
                "Gửi từ tổng đài đã quen dùng",
            ]),
            vec![],
            "Kẻ gian tạo áp lực thời gian và xin mã OTP.\nTổng đài quen thuộc không phải là dấu hiệu.".into(),
        ),
        (
            "cuoc-goi-video".into(),
            Body::TrueFalse { answer: true },
            "Kẻ gian có thể giả giọng và khuôn mặt người thân trong cuộc gọi video.".into(),
            vec![],
            vec![],
            "Công nghệ deepfake làm được việc này; hãy gọi lại vào số quen thuộc để kiểm tra.".into(),
        ),
        (
            "nop-ho-so".into(),
            Body::Ordering { options: 3 },
            "Sắp xếp các bước nộp hồ sơ trên Cổng Dịch vụ công quốc gia theo đúng thứ tự.".into(),
            s(&[
                "Đăng nhập bằng tài khoản định danh điện tử",
                "Tìm và chọn thủ tục cần làm",
                "Nộp hồ sơ và theo dõi kết quả",
            ]),
            vec![],
            "Phải đăng nhập trước rồi mới chọn được thủ tục.".into(),
        ),
        (
            "ghep-tinh-huong".into(),
            Body::Matching { options: 2 },
            "Ghép mỗi tình huống với việc nên làm.".into(),
            s(&["Lỡ chuyển tiền cho kẻ gian", "Nhận cuộc gọi tự xưng công an"]),
            s(&[
                "Gọi ngay ngân hàng để yêu cầu phong toả",
                "Gác máy và đến trụ sở công an gần nhất",
            ]),
            "Hành động sớm giúp giảm thiệt hại.".into(),
        ),
        (
            "cap-khai-niem".into(),
            Body::Matching { options: 2 },
            "Nối mỗi từ với nghĩa của nó.".into(),
            s(&["Mã OTP", "Mật khẩu"]),
            s(&["Mã chỉ dùng một lần", "Điều chỉ mình bạn biết"]),
            "OTP là mã dùng một lần; mật khẩu là điều bạn giữ bí mật.".into(),
        ),
    ]
}

fn refused() -> Vec<(String, String, String)> {
    let r = |q: &str, key: &str, arg: &str| (q.to_string(), key.to_string(), arg.to_string());
    vec![
        r("Số tổng đài", "err-qti-unsupported-interaction", "textEntryInteraction"),
        r(
            "Kể lại một lần suýt bị lừa",
            "err-qti-unsupported-interaction",
            "extendedTextInteraction",
        ),
        r("Không có đáp án", "err-qti-no-correct-response", ""),
        r("Đáp án lạ", "err-qti-unknown-choice", "ChoiceD"),
        r(
            "Chỉ nút đăng nhập",
            "err-qti-unsupported-interaction",
            "hotspotInteraction",
        ),
    ]
}

fn first_arg(m: &Message) -> String {
    m.args.first().map(|(_, v)| v.clone()).unwrap_or_default()
}

#[test]
fn each_supported_interaction_is_read_from_its_own_file() {
    let mut got = Vec::new();
    for (name, xml) in &FIXTURES[..6] {
        let imported = parse_item(xml.as_bytes(), &defaults());
        assert_eq!(problems(&imported), vec![], "{name}");
        got.extend(rows(&imported));
    }
    assert_eq!(got, expected());
}

#[test]
fn every_unsupported_or_broken_item_is_named_with_its_reason() {
    let mut got = Vec::new();
    for (name, xml) in &FIXTURES[6..] {
        let imported = parse_item(xml.as_bytes(), &defaults());
        assert!(imported.items.is_empty(), "{name}");
        for p in &imported.problems {
            assert_eq!(p.line, Some(2), "{name}");
            got.push((p.question.clone(), p.message.key.clone(), first_arg(&p.message)));
        }
    }
    assert_eq!(got, refused());
    let shown = parse_item(fixture("text-entry.xml").as_bytes(), &defaults()).problems[0]
        .message
        .render(crate::i18n::Lang::Vi);
    assert!(shown.contains("textEntryInteraction"), "{shown}");
}

fn item_xml(body: &str, declaration: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<qti:assessmentItem xmlns:qti="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x" title="Thử" adaptive="false" timeDependent="false">
{declaration}
<qti:itemBody>{body}</qti:itemBody>
<qti:modalFeedback outcomeIdentifier="SCORE" identifier="1" showHide="show">Vì vậy.</qti:modalFeedback>
</qti:assessmentItem>"#
    )
}

fn keys(imported: &Imported) -> Vec<String> {
    imported.problems.iter().map(|p| p.message.key.clone()).collect()
}

#[test]
fn keys_that_do_not_make_an_item_are_refused() {
    let decl = |values: &[&str]| {
        let values: String = values.iter().map(|v| format!("<qti:value>{v}</qti:value>")).collect();
        format!(
            r#"<qti:responseDeclaration identifier="R" cardinality="multiple" baseType="identifier"><qti:correctResponse>{values}</qti:correctResponse></qti:responseDeclaration>"#
        )
    };
    let choice = |max: &str| {
        format!(
            r#"<qti:choiceInteraction responseIdentifier="R" maxChoices="{max}"><qti:prompt>Chọn.</qti:prompt><qti:simpleChoice identifier="A">Một</qti:simpleChoice><qti:simpleChoice identifier="B">Hai</qti:simpleChoice><qti:simpleChoice identifier="C">Ba</qti:simpleChoice></qti:choiceInteraction>"#
        )
    };
    // A prefixed namespace reads like the default one.
    let ok = parse_item(item_xml(&choice("2"), &decl(&["A", "C"])).as_bytes(), &defaults());
    assert_eq!(keys(&ok), Vec::<String>::new());
    assert_eq!(
        ok.items[0].1.body,
        Body::MultipleChoice {
            options: 3,
            correct: BTreeSet::from([0, 2])
        }
    );
    let two = parse_item(item_xml(&choice("1"), &decl(&["A", "C"])).as_bytes(), &defaults());
    assert_eq!(keys(&two), ["err-qti-single-several"]);
    let all = parse_item(item_xml(&choice("0"), &decl(&["A", "B", "C"])).as_bytes(), &defaults());
    assert_eq!(keys(&all), ["err-item-all-correct"]);
    let order = r#"<qti:orderInteraction responseIdentifier="R"><qti:simpleChoice identifier="A">Một</qti:simpleChoice><qti:simpleChoice identifier="B">Hai</qti:simpleChoice><qti:simpleChoice identifier="C">Ba</qti:simpleChoice></qti:orderInteraction>"#;
    let partial = parse_item(item_xml(order, &decl(&["B", "A"])).as_bytes(), &defaults());
    assert_eq!(keys(&partial), ["err-qti-order-incomplete"]);
    let set = |ids: &[&str]| {
        let c: String = ids
            .iter()
            .map(|i| {
                format!(
                    r#"<qti:simpleAssociableChoice identifier="{i}" matchMax="1">Mục {i}</qti:simpleAssociableChoice>"#
                )
            })
            .collect();
        format!("<qti:simpleMatchSet>{c}</qti:simpleMatchSet>")
    };
    let matching = format!(
        r#"<qti:matchInteraction responseIdentifier="R" maxAssociations="4"><qti:prompt>Ghép.</qti:prompt>{}{}</qti:matchInteraction>"#,
        set(&["L1", "L2"]),
        set(&["R1", "R2"])
    );
    let twice = parse_item(item_xml(&matching, &decl(&["L1 R1", "L2 R1"])).as_bytes(), &defaults());
    assert_eq!(keys(&twice), ["err-qti-not-one-to-one"]);
    let short = parse_item(item_xml(&matching, &decl(&["L1 R2"])).as_bytes(), &defaults());
    assert_eq!(keys(&short), ["err-qti-not-one-to-one"]);
    let odd = parse_item(item_xml(&matching, &decl(&["L1"])).as_bytes(), &defaults());
    assert_eq!(keys(&odd), ["err-qti-bad-pair"]);
    let stranger = parse_item(item_xml(&matching, &decl(&["L1 R9", "L2 R1"])).as_bytes(), &defaults());
    assert_eq!(keys(&stranger), ["err-qti-unknown-choice"]);
    let good = parse_item(item_xml(&matching, &decl(&["L2 R1", "L1 R2"])).as_bytes(), &defaults());
    assert_eq!(good.items[0].1.texts[0].1.matches, ["Mục R2", "Mục R1"]);
    // Two interactions, none, a picture in the stem, no feedback.
    let both = format!("{}{}", choice("1"), order);
    assert_eq!(
        keys(&parse_item(item_xml(&both, &decl(&["A"])).as_bytes(), &defaults())),
        ["err-qti-several-interactions"]
    );
    assert_eq!(
        keys(&parse_item(item_xml("<p>Chỉ có chữ.</p>", "").as_bytes(), &defaults())),
        ["err-qti-no-interaction"]
    );
    // A sound in the text, a picture as an option: what text cannot carry.
    let sound = format!(r#"<p><audio src="a.mp3"/></p>{}"#, choice("1"));
    let in_option = choice("1").replace(">Hai<", r#"><img src="hai.png" alt="Hai"/><"#);
    let formula = choice("1").replace(
        ">Ba<",
        r#"><m:math xmlns:m="http://www.w3.org/1998/Math/MathML"><m:mi>x</m:mi></m:math><"#,
    );
    for body in [sound, in_option, formula] {
        assert_eq!(
            keys(&parse_item(item_xml(&body, &decl(&["A"])).as_bytes(), &defaults())),
            ["err-qti-media"],
            "{body}"
        );
    }
    let silent = item_xml(&choice("1"), &decl(&["A"])).replace("Vì vậy.", "");
    assert_eq!(
        keys(&parse_item(silent.as_bytes(), &defaults())),
        ["err-item-no-explanation"]
    );
}

#[test]
fn hostile_item_files_are_one_problem_and_never_panic() {
    let doctype = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><assessmentItem>&a;</assessmentItem>"#;
    assert_eq!(keys(&parse_item(doctype.as_bytes(), &defaults())), ["err-qti-doctype"]);
    let deep = format!("<assessmentItem>{}", "<div>".repeat(100));
    assert_eq!(keys(&parse_item(deep.as_bytes(), &defaults())), ["err-qti-too-deep"]);
    let cut = &fixture("match.xml")[..900];
    let p = parse_item(cut.as_bytes(), &defaults());
    assert_eq!(keys(&p), ["err-qti-malformed"]);
    assert!(p.problems[0].line.is_some_and(|l| l > 2), "{:?}", p.problems);
    assert_eq!(
        keys(&parse_item(b"<questestinterop/>", &defaults())),
        ["err-qti-not-item"]
    );
    assert_eq!(keys(&parse_item(b"\xff\xfe<a/>", &defaults())), ["err-qti-not-utf8"]);
    let many = format!("<assessmentItem>{}</assessmentItem>", "<p/>".repeat(MAX_ELEMENTS + 1));
    assert_eq!(
        keys(&parse_item(many.as_bytes(), &defaults())),
        ["err-qti-too-many-elements"]
    );
    for odd in [
        "",
        "<",
        "<assessmentItem",
        "&amp;",
        "<a></b>",
        "<assessmentItem><itemBody>&bogus;</itemBody></assessmentItem>",
    ] {
        let p = parse_item(odd.as_bytes(), &defaults());
        assert!(p.items.is_empty() && !p.problems.is_empty(), "{odd}");
    }
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, options()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn manifest(hrefs: &[&str]) -> String {
    let resources: String = hrefs
        .iter()
        .enumerate()
        .map(|(i, h)| {
            format!(
                r#"    <resource identifier="R{i}" type="imsqti_item_xmlv2p1" href="{h}">
      <metadata><schema>IMS QTI Item</schema><schemaversion>2.1</schemaversion></metadata>
      <file href="{h}"/>
    </resource>
"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM"
    identifier="MANIFEST-NGAN-HANG-LUA-DAO">
  <metadata>
    <schema>QTIv2.1 Package</schema>
    <schemaversion>1.0.0</schemaversion>
  </metadata>
  <organizations/>
  <resources>
    <resource identifier="TEST" type="imsqti_test_xmlv2p1" href="test.xml"><file href="test.xml"/></resource>
    <resource identifier="IMG" type="webcontent" href="images/vneid.png"><file href="images/vneid.png"/></resource>
{resources}  </resources>
</manifest>
"#
    )
}

#[test]
fn a_package_reads_every_item_its_manifest_lists() {
    let mut hrefs: Vec<String> = FIXTURES.iter().map(|(n, _)| format!("items/{n}")).collect();
    hrefs.push("items/ban%20sao.xml".into());
    hrefs.push("../ngoai.xml".into());
    hrefs.push("items/thieu.xml".into());
    let refs: Vec<&str> = hrefs.iter().map(String::as_str).collect();
    let manifest = manifest(&refs);
    let mut files: Vec<(String, &[u8])> = FIXTURES
        .iter()
        .map(|(n, x)| (format!("items/{n}"), x.as_bytes()))
        .collect();
    files.push(("items/ban sao.xml".into(), fixture("choice-single.xml").as_bytes()));
    files.push(("test.xml".into(), b"<assessmentTest/>"));
    for folder in ["", "ngan-hang/"] {
        let mut all: Vec<(String, &[u8])> = vec![(format!("{folder}imsmanifest.xml"), manifest.as_bytes())];
        all.extend(files.iter().map(|(n, b)| (format!("{folder}{n}"), *b)));
        let refs: Vec<(&str, &[u8])> = all.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        let imported = parse_package(&zip_of(&refs), &defaults());
        let mut want = expected();
        let mut copy = want[0].clone();
        copy.0 = "tin-nhan-otp-2".into();
        want.push(copy);
        assert_eq!(rows(&imported), want, "{folder}");
        let got: Vec<(String, String, String)> = imported
            .problems
            .iter()
            .map(|p| (p.question.clone(), p.message.key.clone(), first_arg(&p.message)))
            .collect();
        let mut refused: Vec<(String, String, String)> = refused()
            .into_iter()
            .zip(&FIXTURES[6..])
            .map(|((q, k, a), (file, _))| (format!("{q} (items/{file})"), k, a))
            .collect();
        refused.push((
            "../ngoai.xml".into(),
            "err-qti-unsafe-href".into(),
            "../ngoai.xml".into(),
        ));
        refused.push((
            "items/thieu.xml".into(),
            "err-qti-missing-file".into(),
            "items/thieu.xml".into(),
        ));
        assert_eq!(got, refused, "{folder}");
    }
}

#[test]
fn a_packaged_picture_becomes_the_items_picture() {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let with = |src: &str| {
        fixture("true-false.xml").replace(
            "<p>Kẻ gian",
            &format!(r#"<p><img src="{src}" alt="Ảnh chụp cuộc gọi video"/></p><p>Kẻ gian"#),
        )
    };
    let good = with("../anh/cuoc%20goi.png");
    let bad_kind = with("../anh/ghi-chu.txt");
    let outside = with("../../ngoai.png");
    let missing = with("khong-co.png");
    let two = good.replace("<p>Kẻ gian", r#"<p><img src="../anh/cuoc%20goi.png" alt=""/>Kẻ gian"#);
    let files: Vec<(&str, &[u8])> = vec![
        (
            "imsmanifest.xml",
            manifest(&["cau/a.xml", "cau/b.xml", "cau/c.xml", "cau/d.xml", "cau/e.xml"])
                .leak()
                .as_bytes(),
        ),
        ("cau/a.xml", good.as_bytes()),
        ("cau/b.xml", bad_kind.as_bytes()),
        ("cau/c.xml", outside.as_bytes()),
        ("cau/d.xml", missing.as_bytes()),
        ("cau/e.xml", two.as_bytes()),
        ("anh/cuoc goi.png", PNG),
        ("anh/ghi-chu.txt", b"ghi chu"),
    ];
    let imported = parse_package(&zip_of(&files), &defaults());
    assert_eq!(
        keys(&imported),
        [
            "err-qti-picture-kind",
            "err-qti-unsafe-href",
            "err-qti-missing-file",
            "err-qti-pictures-several"
        ]
    );
    assert_eq!(imported.items.len(), 1);
    let item = &imported.items[0].1;
    assert_eq!(item.picture.as_deref(), Some("cuoc-goi-video.png"));
    assert_eq!(imported.files, vec![("cuoc-goi-video.png".to_string(), PNG.to_vec())]);
    assert_eq!(
        item.texts[0].1.stem,
        "Kẻ gian có thể giả giọng và khuôn mặt người thân trong cuộc gọi video."
    );
    // One file alone cannot bring its picture.
    assert_eq!(
        keys(&parse_item(good.as_bytes(), &defaults())),
        ["err-qti-picture-needs-package"]
    );
    assert_eq!(resolve("a/b", "../../c.png"), Some("c.png".to_string()));
    for bad in [
        "../../../c.png",
        "/c.png",
        "http://x/c.png",
        "data:image/png;base64,AAAA",
        "a//b.png",
        "%2",
    ] {
        assert_eq!(resolve("a/b", bad), None, "{bad}");
    }
}

#[test]
fn hostile_packages_are_refused_with_bounded_cost() {
    let one = |p: Imported| keys(&p);
    assert_eq!(one(parse_package(b"not a zip", &defaults())), ["err-qti-not-zip"]);
    let none = zip_of(&[("items/a.xml", fixture("order.xml").as_bytes())]);
    assert_eq!(one(parse_package(&none, &defaults())), ["err-qti-no-manifest"]);
    let empty = zip_of(&[("imsmanifest.xml", manifest(&[]).as_bytes())]);
    assert_eq!(one(parse_package(&empty, &defaults())), ["err-qti-no-items"]);
    let not = zip_of(&[("imsmanifest.xml", b"<quiz/>")]);
    assert_eq!(one(parse_package(&not, &defaults())), ["err-qti-not-manifest"]);
    // A bomb: 20 MB of spaces inflated from a small entry is stopped one byte past the cap.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("imsmanifest.xml", options()).unwrap();
    w.write_all(manifest(&["a.xml", "/etc/passwd", "C:/x.xml", "http://example.com/x.xml"]).as_bytes())
        .unwrap();
    w.start_file("a.xml", options()).unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    for _ in 0..20 {
        w.write_all(&chunk).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < MAX_IMPORT_BYTES);
    let (p, heap) = crate::xlsx::tests::peak_heap(|| parse_package(&bomb, &defaults()));
    assert_eq!(
        keys(&p),
        [
            "err-qti-entry-too-large",
            "err-qti-unsafe-href",
            "err-qti-unsafe-href",
            "err-qti-unsafe-href"
        ]
    );
    assert!(heap < 16 * 1024 * 1024, "{heap}");
    // Declares more entries than a package may have: refused before the zip reader sizes them.
    let mut many = zip_of(&[("imsmanifest.xml", manifest(&["a.xml"]).as_bytes())]);
    let end = many.len() - 22;
    many[end + 8..end + 12].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    assert_eq!(one(parse_package(&many, &defaults())), ["err-qti-too-many-entries"]);
}

#[test]
fn every_message_key_exists_in_both_languages() {
    for lang in ["vi", "en"] {
        let dir = format!("{}/../../locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut ftl = String::from("\n");
        for entry in std::fs::read_dir(&dir).unwrap() {
            ftl.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
            ftl.push('\n');
        }
        for src in [
            include_str!("../qti.rs"),
            include_str!("write.rs"),
            include_str!("../xlsx_items.rs"),
            include_str!("../gift.rs"),
            include_str!("../moodle_xml.rs"),
        ] {
            let mut rest = src;
            while let Some(at) = rest.find("Message::new(\"") {
                rest = &rest[at + 14..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                assert!(ftl.contains(&format!("\n{key} = ")), "{key} missing in {lang}");
            }
        }
    }
}

#[test]
fn every_bank_format_message_renders_in_both_languages() {
    for lang in ["vi", "en"] {
        let path = format!("{}/../../locales/{lang}/bank-formats.ftl", env!("CARGO_MANIFEST_DIR"));
        let ftl = std::fs::read_to_string(path).unwrap();
        for line in ftl.lines().filter(|l| !l.starts_with('#') && l.contains(" = ")) {
            let (key, text) = line.split_once(" = ").unwrap();
            let mut m = Message::new(key);
            for part in text.split("{ $").skip(1) {
                let name = &part[..part.find(' ').unwrap()];
                m = m.arg(name, "7");
            }
            let l = if lang == "vi" {
                crate::i18n::Lang::Vi
            } else {
                crate::i18n::Lang::En
            };
            let shown = m.render(l);
            assert!(
                shown.len() > 30 && !shown.contains('{') && !shown.contains(key),
                "{lang} {key}: {shown}"
            );
        }
    }
}

/// `cargo test -p hocvuso-core --release measure_a_full_package -- --ignored --nocapture`: a
/// package of the most items one import takes.
#[test]
#[ignore]
fn measure_a_full_package() {
    let hrefs: Vec<String> = (0..MAX_IMPORT_QUESTIONS).map(|i| format!("items/{i}.xml")).collect();
    let refs: Vec<&str> = hrefs.iter().map(String::as_str).collect();
    let manifest = manifest(&refs);
    let mut files: Vec<(&str, &[u8])> = vec![("imsmanifest.xml", manifest.as_bytes())];
    for (i, h) in refs.iter().enumerate() {
        files.push((h, FIXTURES[i % 6].1.as_bytes()));
    }
    let zip = zip_of(&files);
    let started = std::time::Instant::now();
    let (imported, heap) = crate::xlsx::tests::peak_heap(|| parse_package(&zip, &defaults()));
    println!(
        "qti package of {} bytes: {} items in {:?}, peak heap {} KB",
        zip.len(),
        imported.items.len(),
        started.elapsed(),
        heap / 1024
    );
    assert_eq!(imported.items.len(), MAX_IMPORT_QUESTIONS);
}

/// The spreadsheet tests' bank (every type), given what only a package carries: competences,
/// levels and difficulties of their own, a code that starts with a digit, markup in the text,
/// a picture described in two languages, and translations (English, and Jrai on a true/false
/// item, whose file keeps the Vietnamese words for true and false).
fn rich_bank() -> (Vec<(String, Item)>, HashMap<String, Vec<u8>>) {
    let mut bank = crate::assessment::xlsx_items::tests::bank();
    bank[0].1.code = "01-otp".into();
    bank[0].1.difficulty = Difficulty::Medium;
    bank[1].1.competence = CompetenceRef::parse("digcomp22:4.1").unwrap();
    bank[1].1.level = "3".into();
    {
        let t = &mut bank[1].1.texts[0].1;
        t.stem = "Nếu x < 5 & y > 3 thì <b>đậm</b>?\n]]> \"cuối\"".into();
        t.options[0] = "<script>alert(1)</script> &amp;".into();
    }
    let en = |t: &ItemText, stem: &str| ItemText {
        stem: stem.into(),
        options: t.options.iter().map(|o| format!("{o} (en)")).collect(),
        matches: t.matches.iter().map(|o| format!("{o} (en)")).collect(),
        explanation: "Explained.".into(),
        picture_alt: String::new(),
    };
    for i in [0, 2, 4] {
        let t = en(&bank[i].1.texts[0].1, "In English?");
        bank[i].1.texts.push((ContentLang::En, t));
    }
    let jrai = ItemText {
        stem: "Jrai: Công an làm việc qua cuộc gọi video.".into(),
        options: Vec::new(),
        matches: Vec::new(),
        explanation: "Jrai: giấy mời.".into(),
        picture_alt: String::new(),
    };
    bank[2].1.texts.push((ContentLang::Jrai, jrai));
    bank[2].1.picture = Some("a1b2-640x480.jpg".into());
    bank[2].1.texts[0].1.picture_alt = "Ảnh màn hình cuộc gọi video".into();
    bank[2].1.texts[1].1.picture_alt = "A video call screen".into();
    bank[2].1.texts[2].1.picture_alt = "Jrai: ảnh cuộc gọi".into();
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    let pictures = HashMap::from([("a1b2-640x480.jpg".to_string(), JPEG.to_vec())]);
    (bank, pictures)
}

#[test]
fn a_written_package_reads_back_the_same() {
    let (bank, pictures) = rich_bank();
    for (_, item) in &bank {
        assert_eq!(item.problems(), vec![], "{}", item.code);
    }
    let zip = write_package(&bank, &pictures).unwrap();
    let back = parse_package(&zip, &defaults());
    assert_eq!(keys(&back), Vec::<String>::new());
    // The pool comes back as written, the picture under the item's own name in the package.
    let mut want = bank.clone();
    want[2].1.picture = Some("video-gia.jpg".into());
    assert_eq!(back.items, want);
    assert_eq!(
        back.files,
        vec![("video-gia.jpg".to_string(), pictures["a1b2-640x480.jpg"].clone())]
    );
    // Written twice, the same bytes: an export can be compared with the last one.
    assert_eq!(write_package(&bank, &pictures).unwrap(), zip);
    // Without the metadata (another tool's reading), the Vietnamese items are still whole.
    let files = unzip(&zip);
    let mut names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "imsmanifest.xml",
            "items/01-otp.en.xml",
            "items/01-otp.xml",
            "items/dau-hieu.xml",
            "items/ghep.en.xml",
            "items/ghep.xml",
            "items/nop-ho-so.xml",
            "items/video-gia.en.xml",
            "items/video-gia.jra.xml",
            "items/video-gia.xml",
            "media/video-gia.jpg"
        ]
    );
    let item = String::from_utf8(files.iter().find(|(n, _)| n == "items/01-otp.xml").unwrap().1.clone()).unwrap();
    assert!(item.contains(r#"identifier="item-01-otp""#), "{item}");
    let one = parse_item(item.as_bytes(), &defaults());
    assert_eq!(keys(&one), Vec::<String>::new());
    assert_eq!(one.items[0].1.body, bank[0].1.body);
    assert_eq!(one.items[0].1.texts, bank[0].1.texts[..1].to_vec());
    assert_eq!(one.items[0].1.competence, defaults().competence);
}

/// Every file of a zip, by name.
fn unzip(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let Ok(mut archive) = open_zip(zip, 100) else {
        panic!("not a zip")
    };
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

#[test]
fn a_package_whose_metadata_or_translation_is_wrong_names_the_question() {
    let (bank, pictures) = rich_bank();
    let mut files = unzip(&write_package(&bank, &pictures).unwrap());
    let edit = |files: &mut Vec<(String, Vec<u8>)>, name: &str, from: &str, to: &str| {
        let f = files.iter_mut().find(|(n, _)| n == name).unwrap();
        let text = String::from_utf8(f.1.clone()).unwrap();
        assert!(text.contains(from), "{name}: {from}");
        f.1 = text.replacen(from, to, 1).into_bytes();
    };
    // The first resource's competence, the second's difficulty; the Jrai file says it is French
    // (a language the bank cannot hold); the English matching pairs a choice it does not have.
    edit(
        &mut files,
        "imsmanifest.xml",
        "<imsmd:id>2.1</imsmd:id>",
        "<imsmd:id>2.1 x</imsmd:id>",
    );
    edit(
        &mut files,
        "imsmanifest.xml",
        "<imsmd:value>difficult</imsmd:value>",
        "<imsmd:value>rất khó</imsmd:value>",
    );
    edit(
        &mut files,
        "items/video-gia.jra.xml",
        "xml:lang=\"jra\"",
        "xml:lang=\"fr\"",
    );
    edit(
        &mut files,
        "items/ghep.en.xml",
        "<simpleAssociableChoice identifier=\"L2\"",
        "<simpleAssociableChoice identifier=\"L9\"",
    );
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let back = parse_package(&zip_of(&refs), &defaults());
    let got: Vec<(String, String, String)> = back
        .problems
        .iter()
        .map(|p| (p.question.clone(), p.message.key.clone(), first_arg(&p.message)))
        .collect();
    let name = |code: &str| {
        let item = &bank.iter().find(|(_, i)| i.code == code).unwrap().1;
        format!("{} (items/{code}.xml)", label("", &item.texts[0].1.stem))
    };
    assert_eq!(
        got,
        [
            (
                name("01-otp"),
                "err-qti-bad-competence".to_string(),
                "digcomp22:2.1 x".to_string()
            ),
            (name("dau-hieu"), "err-qti-bad-difficulty".into(), "rất khó".into()),
            (
                name("video-gia"),
                "err-qti-translation-lang".into(),
                "items/video-gia.jra.xml".into()
            ),
            (
                name("ghep"),
                "err-qti-translation-differs".into(),
                "items/ghep.en.xml".into()
            ),
        ]
    );
    // Only the ordering question was untouched.
    let codes: Vec<&str> = back.items.iter().map(|(_, i)| i.code.as_str()).collect();
    assert_eq!(codes, ["nop-ho-so"]);
    // A file of the resource that is an item in no other language is not a translation: the
    // item comes in without it.
    let mut files = unzip(&write_package(&bank[2..3], &pictures).unwrap());
    edit(
        &mut files,
        "items/video-gia.jra.xml",
        "xml:lang=\"jra\"",
        "xml:lang=\"vi\"",
    );
    edit(&mut files, "items/video-gia.en.xml", " xml:lang=\"en\"", "");
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let back = parse_package(&zip_of(&refs), &defaults());
    assert_eq!(keys(&back), Vec::<String>::new());
    assert_eq!(back.items[0].1.texts, bank[2].1.texts[..1].to_vec());
    // An English version whose key differs from the Vietnamese one is not taken for it.
    let mut files = unzip(&write_package(&bank[..1], &pictures).unwrap());
    edit(
        &mut files,
        "items/01-otp.en.xml",
        "<value>C2</value>",
        "<value>C1</value>",
    );
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let back = parse_package(&zip_of(&refs), &defaults());
    assert_eq!(keys(&back), ["err-qti-translation-differs"]);
    assert!(back.items.is_empty());
    // A code that is no slug (none is stored, every way in checks it) names no path outside
    // the package's folders.
    let mut odd = bank[3].clone();
    odd.1.code = "../../etc/x".into();
    let names: Vec<String> = unzip(&write_package(&[odd], &pictures).unwrap())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["imsmanifest.xml", "items/item-1.xml"]);
    // A picture the bank cannot give is said, with the question.
    let e = write_package(&bank, &HashMap::new()).unwrap_err();
    assert_eq!(
        (e.key.as_str(), first_arg(&e)),
        ("err-qti-export-picture", "video-gia".to_string())
    );
}
