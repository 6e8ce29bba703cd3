//! Consent: how and when a person agreed to their data being held for the movement, and its
//! withdrawal.

use super::*;

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Consent {
        pub id: i64,
        pub person_id: i64,
        pub method: ConsentMethod as "consents.method",
        pub purpose: String,
        pub recorded_by: Option<i64>,
        pub given_at: OffsetDateTime,
        pub withdrawn_at: Option<OffsetDateTime>,
        pub withdrawn_by: Option<i64>,
    }
}

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentMethod {
    Paper,
    Verbal,
    Online,
}

impl ConsentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::Paper => "paper",
            ConsentMethod::Verbal => "verbal",
            ConsentMethod::Online => "online",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [ConsentMethod::Paper, ConsentMethod::Verbal, ConsentMethod::Online]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

crate::stored::stored_as_text!(ConsentMethod);

pub const CONSENT_PURPOSE: &str = "digital_literacy";

pub async fn record_consent(
    tx: &mut Tx,
    person_id: i64,
    method: ConsentMethod,
    recorded_by: Option<i64>,
) -> Result<()> {
    tx.execute(
        Query::insert()
            .into_table(Consents::Table)
            .columns([
                Consents::PersonId,
                Consents::Method,
                Consents::Purpose,
                Consents::RecordedBy,
                Consents::GivenAt,
            ])
            .values_panic([
                person_id.into(),
                method.as_str().into(),
                CONSENT_PURPOSE.into(),
                recorded_by.into(),
                now().into(),
            ]),
    )
    .await?;
    Ok(())
}

pub async fn withdraw_consent(tx: &mut Tx, person_id: i64, by: Option<i64>) -> Result<u64> {
    tx.execute(
        Query::update()
            .table(Consents::Table)
            .values([
                (Consents::WithdrawnAt, now().into()),
                (Consents::WithdrawnBy, by.into()),
            ])
            .and_where(Expr::col(Consents::PersonId).eq(person_id))
            .and_where(Expr::col(Consents::WithdrawnAt).is_null()),
    )
    .await
}

pub async fn consents(db: &Db, person_id: i64) -> Result<Vec<Consent>> {
    db.fetch_all(
        Query::select()
            .columns([
                Consents::Id,
                Consents::PersonId,
                Consents::Method,
                Consents::Purpose,
                Consents::RecordedBy,
                Consents::GivenAt,
                Consents::WithdrawnAt,
                Consents::WithdrawnBy,
            ])
            .from(Consents::Table)
            .and_where(Expr::col(Consents::PersonId).eq(person_id))
            .order_by(Consents::Id, Order::Asc),
    )
    .await
}
