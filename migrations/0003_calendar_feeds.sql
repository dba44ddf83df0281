-- A secret address per youth worker for their roster as a calendar feed. Only a hash is kept, so
-- the address cannot be read back from the database; the worker can replace it at any time.
ALTER TABLE outreach.youth_workers ADD COLUMN calendar_token_hash text UNIQUE;
