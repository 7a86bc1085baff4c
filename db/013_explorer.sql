-- Schema version 13 (issue 13, the responder's explorer): the last verify outcomes, and the
-- indexes the pivots (an access key, a source IP, a user agent) and the case inventory need to
-- answer within 200 ms at a million events (source/db/pivots.ts, source/db/inventory.ts).

-- One row per `mfatrail verify` run whose outcome could be written (the report itself is the
-- command's output; this keeps when it ran and what it concluded, for the overview and reports).
CREATE TABLE verify_run (
	id           INTEGER PRIMARY KEY,
	verified_at  TEXT NOT NULL,        -- UTC, when the check finished
	ok           INTEGER NOT NULL,     -- 1 all checks hold, 0 a check failed
	problems     INTEGER NOT NULL,
	sources      INTEGER NOT NULL,     -- sources recorded at the time
	digest_status TEXT NOT NULL,       -- "hash chain consistent, signature not verified", ...
	tool_version TEXT NOT NULL,
	summary      TEXT NOT NULL         -- JSON: counts of each kind of problem
) STRICT;

-- Every call made with an access key, in time order (the key pivot; key prefixes in search).
CREATE INDEX event_access_key ON event(access_key_id, event_time) WHERE access_key_id IS NOT NULL;
-- Source IPs with who and when: an IP's principals and time span come from the index alone, and a
-- CIDR prefix is a range of it.
CREATE INDEX event_source_ip ON event(source_ip, identity_arn, event_time) WHERE source_ip IS NOT NULL;
-- User agents, likewise.
CREATE INDEX event_user_agent ON event(user_agent, identity_arn, event_time) WHERE user_agent IS NOT NULL;
-- Accounts and regions of the evidence, found by seeking from one distinct value to the next.
CREATE INDEX event_account_region ON event(recipient_account_id, aws_region);
-- STS calls, where temporary keys are minted (AssumeRole, GetSessionToken, AssumeRoot, ...).
CREATE INDEX event_sts ON event(recipient_account_id, event_time) WHERE event_source = 'sts.amazonaws.com';

-- Sign-ins from an IP (the IP pivot).
CREATE INDEX sign_in_source_ip ON sign_in(source_ip, event_time) WHERE source_ip IS NOT NULL;
-- Sign-in activity over the evidence span (the overview's chart), from the index alone.
CREATE INDEX sign_in_activity ON sign_in(event_name, event_time, result, failed_at_mfa);

-- The overview's counts and top lines without reading every finding or device row.
CREATE INDEX finding_rank ON finding(CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, first_seen, rule, id);
CREATE INDEX finding_principal_rank ON finding(principal_arn, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END) WHERE principal_arn IS NOT NULL;
CREATE INDEX finding_severity ON finding(severity);
CREATE INDEX device_state ON device(state, serial_number, incarnation);
