-- A full ID number is shown after a POST through a redirect (so a reload does not reveal and
-- audit it again). The POST leaves a ticket: this session may see this person's number once,
-- within a few minutes. The ticket holds no ID number; the page decrypts it when it is used.
CREATE TABLE reveal_tickets (
    owner TEXT NOT NULL,
    person_id BIGINT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner, person_id)
);
