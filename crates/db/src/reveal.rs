//! One-time tickets for showing a full ID number after a redirect. The reveal POST is audited and
//! leaves a ticket; the next GET of the person's page uses it up and shows the number once. A
//! reload, a second tab or a link shows the masked number again. No ID number is stored here.

use crate::{Db, Result, now};
use sea_query::{Expr, ExprTrait, Iden, OnConflict, Query};
use time::Duration;

// The tables this module owns; other modules import these to join them.
#[derive(Iden, Clone, Copy)]
pub enum RevealTickets {
    Table,
    Owner,
    PersonId,
    ExpiresAt,
}

/// How long a ticket waits for its page: the redirect follows at once, a slow phone may take a while.
pub const TICKET_LIFETIME: Duration = Duration::minutes(2);

/// Lets `owner` (a session) see `person_id`'s number once within [`TICKET_LIFETIME`].
pub async fn issue(db: &Db, owner: &str, person_id: i64) -> Result<()> {
    let at = now();
    let mut tx = db.begin().await?;
    // Tickets nobody came back for are cleared here rather than by a sweeper: the table stays tiny.
    tx.execute(
        Query::delete()
            .from_table(RevealTickets::Table)
            .and_where(Expr::col(RevealTickets::ExpiresAt).lte(at)),
    )
    .await?;
    tx.execute(
        Query::insert()
            .into_table(RevealTickets::Table)
            .columns([RevealTickets::Owner, RevealTickets::PersonId, RevealTickets::ExpiresAt])
            .values_panic([owner.into(), person_id.into(), (at + TICKET_LIFETIME).into()])
            .on_conflict(
                OnConflict::columns([RevealTickets::Owner, RevealTickets::PersonId])
                    .update_column(RevealTickets::ExpiresAt)
                    .to_owned(),
            ),
    )
    .await?;
    tx.commit().await
}

/// Uses up the ticket, if there is a live one: true means show the full number this once.
pub async fn take(db: &Db, owner: &str, person_id: i64) -> Result<bool> {
    let n = db
        .execute(
            Query::delete()
                .from_table(RevealTickets::Table)
                .and_where(Expr::col(RevealTickets::Owner).eq(owner))
                .and_where(Expr::col(RevealTickets::PersonId).eq(person_id))
                .and_where(Expr::col(RevealTickets::ExpiresAt).gt(now())),
        )
        .await?;
    Ok(n > 0)
}
