-- 0003_oscp.sql -- the OSCP 2.0 side (SPEC §3): the FP token swap, the
-- durable outbound task queue and the per-system event log.
--
-- Roles are stored as the numbers of enum peer_role (0 = CP, 1 = CO).
-- Tasks and events name their system by (user_id, role, conf_id) and carry
-- no foreign key (the role picks the table); a task whose system is gone
-- ends as a configuration error, events are pruned by age (event_days).

-- The FP token swap (reference §8.3, done safely): an inbound Register
-- makes the next token; its digest is accepted beside the current one and
-- its sealed value (AAD "oscp_fp_next:<user>:<id>") is what our Register
-- reply carries.  When the reply succeeds the next token replaces the
-- current one, which dies then.  reply_reqid is the X-Request-ID of our
-- latest Register reply: an inbound Register correlated to it is the
-- peer's answer to ours and is not answered again.
ALTER TABLE oscp_fp_token
  ADD COLUMN next_sha    BINARY(32) NULL,
  ADD COLUMN next_enc    VARBINARY(255) NULL,
  ADD COLUMN reply_reqid VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD UNIQUE KEY oscp_fp_token_next_unq (next_sha);

-- Outbound work.  A handler inserts the row in the transaction of the
-- state change it follows from; a dispatcher claims due rows with one
-- UPDATE (claimed_by = a value unique to that claim, lease_until = now +
-- lease), sends them, then deletes the row (done, or given up) or puts it
-- back with a later due_at (retry).  A claim whose lease ran out (its
-- dispatcher died) is claimed again.  body is the JSON to send, NULL when
-- it is made at send time (Register, Heartbeat).
CREATE TABLE oscp_task (
  id             BIGINT NOT NULL AUTO_INCREMENT,
  user_id        BIGINT NOT NULL,
  role           TINYINT NOT NULL,
  conf_id        BIGINT NOT NULL,
  action         TINYINT NOT NULL,
  created        DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  due_at         DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  attempts       SMALLINT NOT NULL DEFAULT 0,
  claimed_by     VARBINARY(64) NULL,
  lease_until    DATETIME(6) NULL,
  request_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  correlation_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  body           MEDIUMTEXT NULL,
  PRIMARY KEY (id),
  KEY oscp_task_due_idx (due_at),
  KEY oscp_task_claim_idx (claimed_by),
  KEY oscp_task_conf_idx (user_id, role, conf_id, action)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What happened, for the tenant (GET .../capacity-providers/{id}/events):
-- every inbound message (direction 0 = in, http_status = our answer) and
-- every outbound attempt (direction 1 = out, the peer's status or the
-- transport error, duration, attempt number).
CREATE TABLE oscp_event (
  id             BIGINT NOT NULL AUTO_INCREMENT,
  user_id        BIGINT NOT NULL,
  role           TINYINT NOT NULL,
  conf_id        BIGINT NOT NULL,
  created        DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  direction      TINYINT NOT NULL,
  action         TINYINT NOT NULL,
  request_id     VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  correlation_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  http_status    SMALLINT NULL,
  error          VARCHAR(512) NULL,
  duration_ms    INTEGER NULL,
  attempt        SMALLINT NULL,
  PRIMARY KEY (id),
  KEY oscp_event_conf_idx (user_id, role, conf_id, id),
  KEY oscp_event_created_idx (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
