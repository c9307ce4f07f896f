-- 005: recognising replays. GitHub signs the body alone, so a captured delivery can be sent again
-- under a new X-GitHub-Delivery; the body's digest (route-prefixed SHA-256) identifies it whatever
-- the id. A delivery id seen again with another body is a conflict, not a duplicate: the digest
-- stored with the id tells the two apart. Rows from before this migration have no digest.
ALTER TABLE webhook_deliveries ADD COLUMN body_digest TEXT;
CREATE INDEX webhook_deliveries_by_body ON webhook_deliveries (body_digest) WHERE body_digest IS NOT NULL;
