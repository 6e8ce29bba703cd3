//! Issue 7 §2: every person an import creates or changes gets an audit entry of their own, which
//! they see on "Thông tin của tôi" and which the person's page shows to those who read the log.

use crate::both;
use crate::helpers::{Backend, Client, TestApp, officer_units, upload_import, wait_import};
use hocvuso_core::access::act;
use hocvuso_core::personal_id::PersonalId;
use hocvuso_db::audit::{self, Filter, Reader};
use hocvuso_db::imports::Status;
use hocvuso_db::people;

const HEADER: &str = "Họ và tên,Ngày sinh,Giới tính,Số định danh,Số điện thoại,Đối tượng,Thôn/Tổ dân phố\n";
const PID: &str = "019185007001";

/// Uploads a one-row list as the officer, decides to import it, and returns the job's id.
async fn import_row(app: &TestApp, officer: &Client, commune: &str, village: &str, phone: &str) -> i64 {
    let csv = format!("{HEADER}Đinh Thị Hoa,03/04/1985,Nữ,{PID},{phone},Người dân,{village}\n");
    let id = upload_import(officer, commune, "danh-sach.csv", csv.into_bytes()).await;
    assert_eq!(wait_import(app, id).await.status(), Status::AwaitingDecision);
    let r = officer
        .post_form(
            &format!("/imports/{id}"),
            &format!("/imports/{id}/decision"),
            &[("choice", "import")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let job = wait_import(app, id).await;
    assert_eq!(job.status(), Status::Done, "{job:?}");
    id
}

/// Each entry of the person's own audit trail as (action, actor, import job).
async fn import_entries(app: &TestApp, person: i64) -> Vec<(String, Option<i64>, Option<i64>)> {
    let entries = audit::list(
        &app.db,
        Reader::Within(&crate::helpers::sees::<act::ViewAudit>("/")),
        &Filter {
            person_id: Some(person),
            ..Default::default()
        },
        50,
    )
    .await
    .unwrap();
    let mut got: Vec<_> = entries
        .iter()
        .filter(|e| e.action.starts_with("person.import"))
        .map(|e| {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
            (e.action.clone(), e.actor_id, detail["import"].as_i64())
        })
        .collect();
    got.sort();
    got
}

/// The entries' labels as a Vietnamese reader must see them.
const LABELS: [&str; 2] = ["Tạo hồ sơ khi nhập danh sách", "Cập nhật hồ sơ khi nhập danh sách"];

/// The line an access list shows for an entry: who, then what.
fn access_line(who: &str, label: &str) -> String {
    format!("{who} — {label}")
}

async fn import_changes_are_audited_per_person(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (commune, _) = officer_units(&app).await;
    let village = hocvuso_db::units::children(&app.db, commune.id)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level() == hocvuso_core::units::Level::Village)
        .unwrap();
    let officer = app.login("0900000005").await;
    let officer_account = hocvuso_db::accounts::by_phone(&app.db, "0900000005")
        .await
        .unwrap()
        .unwrap();

    // The first list creates the person; the second changes their phone.
    let created_by = import_row(&app, &officer, &commune.code, &village.name, "0912700001").await;
    let changed_by = import_row(&app, &officer, &commune.code, &village.name, "0912700002").await;
    let person = people::find_by_pid(
        &app.db,
        &app.vault,
        &crate::helpers::sees::<act::ViewPeople>("/"),
        &PersonalId::parse(PID).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        person.phone.as_deref(),
        Some("0912700002"),
        "the second list changed the row"
    );
    let job = hocvuso_db::imports::get(&app.db, changed_by).await.unwrap().unwrap();
    assert_eq!((job.inserted, job.updated), (0, 1));
    let by = Some(officer_account.id);
    assert_eq!(
        import_entries(&app, person.id).await,
        vec![
            ("person.import_create".to_string(), by, Some(created_by)),
            ("person.import_update".to_string(), by, Some(changed_by)),
        ]
    );

    // The officer gives the person an account (a temporary password, in person)…
    let reset = format!("/people/{}/reset-password", person.id);
    let r = officer.post_form(&reset, &reset, &[("confirm", "yes")]).await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let temp = page
        .split("class=\"big\"><strong>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the temporary password is shown")
        .to_string();
    // …the person signs in with their ID number and chooses a password…
    let resident = app.client();
    let r = resident.login(PID, &temp).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/account/password");
    let new = "hoa-dinh-thi-2026";
    let r = resident
        .post_form(
            "/account/password",
            "/account/password",
            &[("current", temp.as_str()), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.status(), 200);
    // …and "Thông tin của tôi" lists both imports, by whom, in words.
    let (s, me) = resident.text("/me").await;
    assert_eq!(s, 200);
    for label in LABELS {
        let line = access_line(&officer_account.display_name, label);
        assert!(me.contains(&line), "/me lists «{line}»: {me}");
    }

    // The person's page lists them too, for those who read the audit log there (the province's
    // inspector and steering committee; a commune officer does not read the log).
    for phone in ["0900000003", "0900000002"] {
        let c = app.login(phone).await;
        let (s, page) = c.text(&format!("/people/{}", person.id)).await;
        assert_eq!(s, 200);
        for label in LABELS {
            let line = access_line(&officer_account.display_name, label);
            assert!(page.contains(&line), "{phone}: /people/{} lists «{line}»", person.id);
        }
    }
    app.finish().await;
}
both!(import_audit_per_person, import_changes_are_audited_per_person);
