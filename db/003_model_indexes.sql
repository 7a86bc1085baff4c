-- Schema version 3: indexes for the model refresh (source/model/refresh.ts), which runs after
-- every import and must stay cheap at a million events.

-- The MFA-relevant rows are a small share of all events, scattered through the table: this
-- covering index holds every column the derivation reads, in event-time order, so the refresh
-- pass is one sequential index scan instead of a random table read per row.
CREATE INDEX event_model ON event(
	event_time, id, event_id, event_source, event_name, recipient_account_id, aws_region, identity_type, identity_arn,
	identity_user_name, identity_principal_id, identity_account_id, access_key_id, mfa_authenticated, source_ip,
	user_agent, error_code, error_message, facts
) WHERE facts IS NOT NULL;

-- Principal counters (event count, first/last seen) are aggregated per identity_arn over all
-- events; this covering index keeps that an index scan.
CREATE INDEX event_identity ON event(identity_arn, event_time) WHERE identity_arn IS NOT NULL;
