-- The final attempts policy counts a person's attempts, online or conducted in person by a helper
-- or officer (whose account the in-person attempt is under).
CREATE INDEX assessment_attempts_person_idx ON assessment_attempts (person_id, kind, started_at);
