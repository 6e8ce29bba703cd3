//! People: listing and searching a unit's residents, registering a person with their consent,
//! reading a record (each view audited), unmasking an ID number, a temporary password issued in
//! person, and consent withdrawal.

use crate::{App, Error, FieldError, Result, Via};
use hocvuso_core::access::{Act, Principal, Scope, act};
use hocvuso_core::audit::{Event, RefusedIn, SearchRecord};
use hocvuso_core::i18n::Message;
use hocvuso_core::password;
use hocvuso_core::people::{PersonInput, TargetGroup};
use hocvuso_core::personal_id::{PersonalId, redact_numbers};
use hocvuso_core::units::Level;
use hocvuso_db::accounts::{self, Account, NewAccount};
use hocvuso_db::audit::{self, Actor, AuditRow, Entry, Filter, Reader};
use hocvuso_db::people::{self, ConsentMethod, ListFilter, PageAt, PeoplePage, Person, Placement, SearchTerm, Total};
use hocvuso_db::units::{self, Unit};
use hocvuso_db::{idempotency, reveal, sessions};

/// A short reference to an ID number's blind index: enough to find the same number in the log,
/// not enough to recover it.
pub fn pid_ref(app: &App, id: &PersonalId) -> String {
    app.vault
        .blind_index(id)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the audit log keeps of a search: never an ID number (nor a phone) in plain text (the
/// log is append-only and cannot be purged) but its masked form and, for an ID number, a short
/// reference derived from its blind index, by which an auditor holding the number can tell which
/// searches looked for it.
fn search_record(app: &App, query: &str, term: &SearchTerm, shown: usize, via: Via) -> SearchRecord {
    SearchRecord {
        query: redact_numbers(query),
        shown,
        pid_ref: match term {
            SearchTerm::PersonalId(id) => Some(pid_ref(app, id)),
            _ => None,
        },
        via: (via == Via::Api).then_some("api"),
        ..Default::default()
    }
}

/// A list or search of the people of a unit, as asked.
pub struct ListRequest<'a> {
    /// Cleaned query text (name, phone or ID number); empty for everyone.
    pub query: &'a str,
    /// A village of the unit to narrow to (ignored when it is not inside the unit).
    pub village: Option<&'a Unit>,
    pub group: Option<TargetGroup>,
    pub at: PageAt<'a>,
    pub limit: u64,
    /// Count the total above the list (pages do; the API does not).
    pub count: bool,
    pub via: Via,
}

pub struct Listed {
    pub page: PeoplePage,
    /// The total of the unit (or village) under the filter, when asked and not known from the search.
    pub total: Option<Total>,
    /// The village actually applied.
    pub village: Option<String>,
}

/// Lists or searches the people of `unit`, and records the view in the audit log before
/// anything is returned.
pub async fn list(app: &App, who: &Principal, unit: &Unit, req: ListRequest<'_>) -> Result<Listed> {
    let unit_scope = who.authorize::<act::ViewPeople>(&unit.path)?;
    // A village narrows the scope to its subtree: the same index range, shorter.
    let (scope, village) = match req.village.and_then(|v| unit_scope.narrow(&v.path).map(|s| (s, v))) {
        Some((s, v)) => (s, Some(v.code.clone())),
        None => (unit_scope, None),
    };
    let term = SearchTerm::parse(req.query);
    let filter = ListFilter { group: req.group };
    let page = people::list(&app.db, &app.vault, &scope, &term, filter, req.at, req.limit).await?;
    let total = match (req.count, page.matched) {
        (true, None) => Some(people::count_filtered(&app.db, &scope, filter).await?),
        _ => None,
    };
    let mut search = search_record(app, req.query, &term, page.people.len(), req.via);
    if req.via == Via::Page {
        search.village = Some(village.clone().unwrap_or_default());
        search.group = Some(req.group.map(|g| g.as_str()).unwrap_or("").to_string());
    }
    let event = Event::PeopleListed {
        unit_code: unit.code.clone(),
        search,
    };
    audit::record(&app.db, &Actor::from(who), Entry::of(&unit.path, &event)).await?;
    Ok(Listed { page, total, village })
}

/// A registration as the form gave it, already validated as a form.
pub struct Registration<'a> {
    pub person: &'a PersonInput,
    pub consent: ConsentMethod,
    /// The form's idempotency key: a double-clicked submit registers the person once.
    pub idem: Option<&'a str>,
}

pub enum Registered {
    Created {
        person_id: i64,
        url: String,
    },
    /// The same form was already submitted: where its first submission led.
    Repeat {
        url: String,
    },
}

/// Registers a person in `unit` (or one of its villages) with their consent.
pub async fn register(app: &App, who: &Principal, unit: &Unit, r: Registration<'_>) -> Result<Registered> {
    who.authorize::<act::RegisterPerson>(&unit.path)?;
    let p = r.person;
    let mut problems = Vec::new();
    // Residence: the chosen village of the commune, or the unit itself.
    let mut residence = unit.clone();
    if let Some(code) = &p.village {
        match units::by_code(&app.db, code).await? {
            Some(v) if v.parent_id == Some(unit.id) && v.level() == Level::Village => residence = v,
            _ => problems.push(FieldError::new(
                "village",
                Message::new("err-import-village").arg("value", code),
            )),
        }
    }
    let mut workplace_id = None;
    if let Some(w) = &p.workplace {
        match units::find_organisation(&app.db, &unit.province_path(), w).await? {
            Some(org) => workplace_id = Some(org.id),
            None => problems.push(FieldError::new(
                "workplace",
                Message::new("err-import-workplace").arg("value", w),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let account_id = who.account_id.unwrap_or(0);
    if !app.limits.id_refusals_allowed(account_id) {
        // Each refusal tells whether a number is held somewhere: past the limit, no more probes.
        return Err(Error::Limited(FieldError::new(
            "personal_id",
            Message::new("err-pid-refusals-limit"),
        )));
    }
    let mut tx = app.db.begin().await?;
    if let Some(key) = r.idem
        && let Some(account_id) = who.account_id
        && !idempotency::claim(&mut tx, account_id, key).await?
    {
        drop(tx);
        return match idempotency::result(&app.db, account_id, key).await? {
            Some(url) => Ok(Registered::Repeat { url }),
            None => Err(Error::Conflict(FieldError::new("", Message::new("err-repeat")))),
        };
    }
    // Inside the transaction: the village may have been moved out of the unit meanwhile.
    who.authorize::<act::RegisterPerson>(&residence.path)?;
    let household_id = match &p.household {
        Some(h) => Some(people::household_id(&mut tx, residence.id, h).await?),
        None => None,
    };
    let place = Placement {
        residence: &residence,
        workplace_id,
        household_id,
    };
    match people::insert(&mut tx, &app.vault, p, &place, who.account_id).await {
        Ok(person_id) => {
            people::record_consent(&mut tx, person_id, r.consent, who.account_id).await?;
            let event = Event::PersonCreated {
                person_id,
                consent: r.consent.as_str().to_string(),
            };
            audit::append(&mut tx, &Actor::from(who), Entry::of(&residence.path, &event)).await?;
            let url = format!("/people/{person_id}");
            if let Some(key) = r.idem
                && let Some(account_id) = who.account_id
            {
                idempotency::finish(&mut tx, account_id, key, &url).await?;
            }
            tx.commit().await?;
            Ok(Registered::Created { person_id, url })
        }
        Err(people::PersonError::DuplicateId) => {
            drop(tx);
            let n = app.limits.count_id_refusal(account_id);
            // The refusal is kept (one record per person) but audited, without the number.
            let event = Event::PidRefused {
                pid_masked: p.personal_id.masked(),
                pid_ref: pid_ref(app, &p.personal_id),
                at: RefusedIn::Form {
                    unit_code: unit.code.clone(),
                    refusals_this_hour: n,
                },
            };
            audit::record(&app.db, &Actor::from(who), Entry::of(&residence.path, &event)).await?;
            Err(Error::Conflict(FieldError::new(
                "personal_id",
                Message::new("err-pid-duplicate"),
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The person `id` with the scope for doing `A` to them: out of sight is "not found" (the
/// record's existence is not revealed), in sight but not allowed is "forbidden".
async fn person_for<A: Act>(app: &App, who: &Principal, id: i64) -> Result<(Person, Scope<A>)> {
    let path = people::locate(&app.db, id).await?.ok_or(Error::NotFound)?;
    let scope = who.authorize_person::<A>(&path)?;
    let p = people::get(&app.db, &scope, id).await?.ok_or(Error::NotFound)?;
    Ok((p, scope))
}

/// Everything a person's page shows.
pub struct Record {
    pub person: Person,
    pub unit_code: String,
    pub account: Option<Account>,
    /// The viewer may issue a temporary password for this account (it holds no wider role).
    pub reset_reachable: bool,
    pub consents: Vec<people::Consent>,
    /// Who recently saw or changed the record, for those who may read the audit log there.
    pub access: Option<Vec<AuditRow>>,
    /// The full ID number, shown once after an audited unmasking by this session.
    pub revealed: Option<String>,
    /// The person's certificates, revoked ones too.
    pub certificates: Vec<hocvuso_db::attainments::Certificate>,
}

async fn record_of(app: &App, who: &Principal, person: Person, revealed: Option<String>) -> Result<Record> {
    let account = accounts::by_person(&app.db, person.id).await?;
    let reset_reachable = match &account {
        Some(a) => {
            let grants = accounts::grants(&app.db, a.id).await?;
            who.may_act_on_account(grants.iter().map(|g| (g.role, g.unit_path.as_str())))
        }
        None => true,
    };
    let consents = people::consents(&app.db, person.id).await?;
    let access = match who.authorize::<act::ViewAudit>(&person.unit_path) {
        Ok(scope) => Some(audit::list(&app.db, Reader::Person(&scope, person.id), &Filter::default(), 20).await?),
        Err(_) => None,
    };
    let unit_code = units::get(&app.db, person.unit_id)
        .await?
        .map(|u| u.code)
        .unwrap_or_default();
    let certificates = hocvuso_db::attainments::certificates_of_person(&app.db, person.id).await?;
    Ok(Record {
        certificates,
        person,
        unit_code,
        account,
        reset_reachable,
        consents,
        access,
        revealed,
    })
}

/// Reads a person's record; the view is audited before it is returned. `reveal_owner` names the
/// session that may hold a one-time ticket to see the full ID number.
pub async fn view(app: &App, who: &Principal, id: i64, reveal_owner: &str) -> Result<Record> {
    let (p, _) = person_for::<act::ViewPeople>(app, who, id).await?;
    let event = Event::PersonViewed { person_id: p.id };
    audit::record(&app.db, &Actor::from(who), Entry::of(&p.unit_path, &event)).await?;
    let revealed = match who.authorize::<act::UnmaskPersonalId>(&p.unit_path) {
        Ok(scope) if reveal::take(&app.db, reveal_owner, p.id).await? => {
            people::reveal_personal_id(&app.db, &app.vault, &scope, p.id).await?
        }
        _ => None,
    };
    record_of(app, who, p, revealed).await
}

/// Audits the unmasking of a person's ID number and leaves a one-time ticket for `reveal_owner`:
/// the next view of the record shows the number once (so it never travels in a URL).
pub async fn unmask(app: &App, who: &Principal, id: i64, reveal_owner: &str) -> Result<i64> {
    let (p, _) = person_for::<act::UnmaskPersonalId>(app, who, id).await?;
    let event = Event::PersonUnmasked { person_id: p.id };
    audit::record(&app.db, &Actor::from(who), Entry::of(&p.unit_path, &event)).await?;
    reveal::issue(&app.db, reveal_owner, p.id).await?;
    Ok(p.id)
}

/// The person's account, when the principal may issue it a temporary password.
async fn reachable_account(app: &App, who: &Principal, person_id: i64) -> Result<Option<Account>> {
    let account = accounts::by_person(&app.db, person_id).await?;
    if let Some(a) = &account {
        let grants = accounts::grants(&app.db, a.id).await?;
        who.authorize_account(grants.iter().map(|g| (g.role, g.unit_path.as_str())))?;
    }
    Ok(account)
}

/// What the confirmation page of a password reset needs: the person and whether an account exists.
pub async fn reset_preview(app: &App, who: &Principal, id: i64) -> Result<(Person, bool)> {
    let (p, _) = person_for::<act::ResetPassword>(app, who, id).await?;
    let account = reachable_account(app, who, p.id).await?;
    Ok((p, account.is_some()))
}

/// Issues a temporary password to the person, in front of the officer (creating the account if
/// needed); the resident must change it at next sign-in, and their other sessions end.
pub async fn reset_password(app: &App, who: &Principal, id: i64) -> Result<(Record, String)> {
    let (p, scope) = person_for::<act::ResetPassword>(app, who, id).await?;
    reachable_account(app, who, p.id).await?;
    let temp = password::temporary();
    let t2 = temp.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&t2))
        .await
        .map_err(|e| Error::Db(hocvuso_db::DbError::Invalid(format!("password hashing stopped: {e}"))))?;
    let pid = people::reveal_personal_id(&app.db, &app.vault, &scope, p.id)
        .await?
        .ok_or(Error::NotFound)?;
    let index = PersonalId::parse(&pid).map(|id| app.vault.blind_index(&id)).ok();
    let mut tx = app.db.begin().await?;
    // Again inside the writing transaction: the person may have moved and the account's grants
    // may have changed since the page was shown.
    let path = people::locate_tx(&mut tx, p.id).await?.ok_or(Error::NotFound)?;
    who.authorize_person::<act::ResetPassword>(&path)?;
    let existing = accounts::by_person_tx(&mut tx, p.id).await?;
    if let Some(a) = &existing {
        let grants = accounts::grants_tx(&mut tx, a.id).await?;
        who.authorize_account(grants.iter().map(|g| (g.role, g.unit_path.as_str())))?;
    }
    match &existing {
        Some(a) => {
            accounts::set_password(&mut tx, a.id, hash, true).await?;
            // Its sessions end with the old password, in the same transaction.
            sessions::delete_for_account(&mut tx, a.id).await?;
            if let Some(ix) = index.clone()
                && accounts::by_pid_index(&app.db, ix.clone()).await?.is_none()
            {
                accounts::set_pid_index(&mut tx, a.id, ix).await?;
            }
        }
        None => {
            // A phone already used by another account is left out; the ID number still signs in.
            let phone_free = match &p.phone {
                Some(ph) => accounts::by_phone(&app.db, ph).await?.is_none(),
                None => false,
            };
            let new = NewAccount {
                display_name: &p.full_name,
                phone: if phone_free { p.phone.as_deref() } else { None },
                pid_index: index,
                person_id: Some(p.id),
                password_hash: hash,
                must_change_password: true,
            };
            accounts::create(&mut tx, new).await.map_err(|e| match e {
                hocvuso_db::DbError::Unique(_) => {
                    Error::Conflict(FieldError::new("", Message::new("err-account-exists")))
                }
                e => e.into(),
            })?;
        }
    }
    let event = Event::PasswordReset {
        person_id: p.id,
        created: existing.is_none(),
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&path, &event)).await?;
    tx.commit().await?;
    Ok((record_of(app, who, p, None).await?, temp))
}

/// An officer records that the person withdrew their consent.
pub async fn withdraw_consent(app: &App, who: &Principal, id: i64) -> Result<i64> {
    let (p, _) = person_for::<act::ManagePeople>(app, who, id).await?;
    let mut tx = app.db.begin().await?;
    let path = people::locate_tx(&mut tx, p.id).await?.ok_or(Error::NotFound)?;
    who.authorize_person::<act::ManagePeople>(&path)?;
    people::withdraw_consent(&mut tx, p.id, who.account_id).await?;
    let event = Event::ConsentWithdrawn {
        person_id: p.id,
        by_self: false,
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&path, &event)).await?;
    tx.commit().await?;
    Ok(p.id)
}

/// The resident withdraws their own consent.
pub async fn withdraw_own_consent(app: &App, who: &Principal) -> Result<()> {
    let own = who.own_record()?;
    let mut tx = app.db.begin().await?;
    let path = people::locate_tx(&mut tx, own.person_id())
        .await?
        .ok_or(Error::NotFound)?;
    people::withdraw_consent(&mut tx, own.person_id(), who.account_id).await?;
    let event = Event::ConsentWithdrawn {
        person_id: own.person_id(),
        by_self: true,
    };
    audit::append(&mut tx, &Actor::from(who), Entry::of(&path, &event)).await?;
    tx.commit().await?;
    Ok(())
}

/// What a resident sees of their own record: the data held, their consents, and who saw or
/// changed it.
pub struct OwnRecordView {
    pub person: Person,
    pub consents: Vec<people::Consent>,
    pub access: Vec<AuditRow>,
}

pub async fn own_record(app: &App, who: &Principal) -> Result<Option<OwnRecordView>> {
    let Ok(own) = who.own_record() else {
        return Ok(None);
    };
    let Some(person) = people::get_own(&app.db, &own).await? else {
        return Ok(None);
    };
    let consents = people::consents(&app.db, person.id).await?;
    let access = audit::list(&app.db, Reader::Own(&own), &Filter::default(), 50).await?;
    Ok(Some(OwnRecordView {
        person,
        consents,
        access,
    }))
}
