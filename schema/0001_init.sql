-- 0001_init.sql -- users, SNWS2 security tokens, nodes, and the OSCP
-- configuration tables (reference §5.1 translated per §5.4).
--
-- Conventions: InnoDB, utf8mb4, _bin collation so tokens and identifiers
-- compare byte for byte, DATETIME(6) holding UTC, AUTO_INCREMENT ids that
-- are global per table (UNIQUE(id)) while user_id leads every key, and
-- composite foreign keys (user_id, x_id) so a row can only point at rows of
-- the same user.  Deleting a user removes everything; deleting a CP/CO
-- removes its FP token row (cascading back to the conf), its groups and
-- their assets.

CREATE TABLE user_user (
  id       BIGINT NOT NULL AUTO_INCREMENT,
  created  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  email    VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
  enabled  BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (id),
  UNIQUE KEY user_user_email_unq (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE user_role (
  user_id   BIGINT NOT NULL,
  role_name VARCHAR(64) NOT NULL,
  PRIMARY KEY (user_id, role_name),
  CONSTRAINT user_role_user_fk FOREIGN KEY (user_id) REFERENCES user_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- SNWS2 security tokens.  The secret is sealed with AES-256-GCM under the
-- master key (AAD "user_auth_token:<id>"); policy = not_after + api_paths.
CREATE TABLE user_auth_token (
  auth_token  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id     BIGINT NOT NULL,
  created     DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  status      ENUM('Active','Disabled') NOT NULL DEFAULT 'Active',
  token_type  ENUM('User','ReadNodeData') NOT NULL DEFAULT 'User',
  secret_enc  VARBINARY(255) NOT NULL,
  not_after   DATETIME(6) NULL,
  api_paths   JSON NULL CHECK (api_paths IS NULL OR JSON_VALID(api_paths)),
  PRIMARY KEY (auth_token),
  KEY user_auth_token_user_idx (user_id),
  CONSTRAINT user_auth_token_user_fk FOREIGN KEY (user_id) REFERENCES user_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Nodes a user owns (registered with oscp-admin); public nodes may be used
-- by any user's assets (reference §6.3, §11 item 25).
CREATE TABLE user_node (
  node_id    BIGINT NOT NULL,
  user_id    BIGINT NOT NULL,
  created    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  is_public  BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (node_id),
  KEY user_node_user_idx (user_id),
  CONSTRAINT user_node_user_fk FOREIGN KEY (user_id) REFERENCES user_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- FP tokens: what a CP/CO presents to us.  Only the SHA-256 digest is kept.
CREATE TABLE oscp_fp_token (
  user_id    BIGINT NOT NULL,
  id         BIGINT NOT NULL AUTO_INCREMENT,
  created    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  modified   DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  enabled    BOOLEAN NOT NULL DEFAULT TRUE,
  token_sha  BINARY(32) NULL,
  oauth      BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (user_id, id),
  UNIQUE KEY oscp_fp_token_id (id),
  UNIQUE KEY oscp_fp_token_unq (token_sha),
  CONSTRAINT oscp_fp_token_user_fk FOREIGN KEY (user_id) REFERENCES user_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_cp_conf (
  user_id        BIGINT NOT NULL,
  id             BIGINT NOT NULL AUTO_INCREMENT,
  created        DATETIME(6) NOT NULL,
  modified       DATETIME(6) NOT NULL,
  enabled        BOOLEAN NOT NULL DEFAULT FALSE,
  fp_id          BIGINT NOT NULL,
  reg_status     SMALLINT NOT NULL,
  cname          VARCHAR(64) NOT NULL,
  url            VARCHAR(256) NULL,
  oscp_ver       VARCHAR(8) NULL,
  heartbeat_secs SMALLINT NULL,
  meas_styles    JSON NULL,
  offline_at     DATETIME(6) NULL,
  sprops         JSON NULL,
  PRIMARY KEY (user_id, id),
  UNIQUE KEY oscp_cp_conf_id (id),
  UNIQUE KEY oscp_cp_conf_url_unq (user_id, url),
  UNIQUE KEY oscp_cp_conf_fp_unq (user_id, fp_id),
  KEY oscp_cp_conf_offline_idx (offline_at),
  CONSTRAINT oscp_cp_conf_user_fk FOREIGN KEY (user_id) REFERENCES user_user (id) ON DELETE CASCADE,
  CONSTRAINT oscp_cp_conf_fp_fk FOREIGN KEY (user_id, fp_id) REFERENCES oscp_fp_token (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_co_conf LIKE oscp_cp_conf;
ALTER TABLE oscp_co_conf
  ADD CONSTRAINT oscp_co_conf_user_fk FOREIGN KEY (user_id) REFERENCES user_user (id) ON DELETE CASCADE,
  ADD CONSTRAINT oscp_co_conf_fp_fk FOREIGN KEY (user_id, fp_id) REFERENCES oscp_fp_token (user_id, id) ON DELETE CASCADE;

CREATE TABLE oscp_cp_heartbeat (
  user_id      BIGINT NOT NULL,
  id           BIGINT NOT NULL,
  created      DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  heartbeat_at DATETIME(6) NULL,
  PRIMARY KEY (user_id, id),
  KEY oscp_cp_heartbeat_at_idx (heartbeat_at),
  CONSTRAINT oscp_cp_heartbeat_conf_fk FOREIGN KEY (user_id, id) REFERENCES oscp_cp_conf (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_co_heartbeat LIKE oscp_cp_heartbeat;
ALTER TABLE oscp_co_heartbeat
  ADD CONSTRAINT oscp_co_heartbeat_conf_fk FOREIGN KEY (user_id, id) REFERENCES oscp_co_conf (user_id, id) ON DELETE CASCADE;

-- Tokens we present to the CP/CO (from their Register), sealed (AAD
-- "oscp_cp_token:<user>:<id>" / "oscp_co_token:...").
CREATE TABLE oscp_cp_token (
  user_id    BIGINT NOT NULL,
  id         BIGINT NOT NULL,
  token_enc  VARBINARY(1024) NOT NULL,
  PRIMARY KEY (user_id, id),
  CONSTRAINT oscp_cp_token_conf_fk FOREIGN KEY (user_id, id) REFERENCES oscp_cp_conf (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_co_token LIKE oscp_cp_token;
ALTER TABLE oscp_co_token
  ADD CONSTRAINT oscp_co_token_conf_fk FOREIGN KEY (user_id, id) REFERENCES oscp_co_conf (user_id, id) ON DELETE CASCADE;

-- OAuth client secrets taken out of serviceProps, sealed (AAD
-- "oscp_cp_secret:<user>:<id>" / "oscp_co_secret:...").  Never returned.
CREATE TABLE oscp_cp_secret (
  user_id     BIGINT NOT NULL,
  id          BIGINT NOT NULL,
  modified    DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  secret_enc  VARBINARY(1024) NOT NULL,
  PRIMARY KEY (user_id, id),
  CONSTRAINT oscp_cp_secret_conf_fk FOREIGN KEY (user_id, id) REFERENCES oscp_cp_conf (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_co_secret LIKE oscp_cp_secret;
ALTER TABLE oscp_co_secret
  ADD CONSTRAINT oscp_co_secret_conf_fk FOREIGN KEY (user_id, id) REFERENCES oscp_co_conf (user_id, id) ON DELETE CASCADE;

CREATE TABLE oscp_cg_conf (
  user_id       BIGINT NOT NULL,
  id            BIGINT NOT NULL AUTO_INCREMENT,
  created       DATETIME(6) NOT NULL,
  modified      DATETIME(6) NOT NULL,
  enabled       BOOLEAN NOT NULL DEFAULT FALSE,
  cname         VARCHAR(64) NOT NULL,
  ident         VARCHAR(128) NOT NULL,
  cp_id         BIGINT NOT NULL,
  co_id         BIGINT NOT NULL,
  cp_meas_secs  INTEGER NOT NULL CHECK (cp_meas_secs IN (60,300,600,900,1200,1800,3600)),
  co_meas_secs  INTEGER NOT NULL CHECK (co_meas_secs IN (60,300,600,900,1200,1800,3600)),
  sprops        JSON NULL,
  PRIMARY KEY (user_id, id),
  UNIQUE KEY oscp_cg_conf_id (id),
  UNIQUE KEY oscp_cg_conf_ident_unq (user_id, ident),
  CONSTRAINT oscp_cg_conf_cp_fk FOREIGN KEY (user_id, cp_id) REFERENCES oscp_cp_conf (user_id, id) ON DELETE CASCADE,
  CONSTRAINT oscp_cg_conf_co_fk FOREIGN KEY (user_id, co_id) REFERENCES oscp_co_conf (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_cg_cp_meas (
  user_id  BIGINT NOT NULL,
  cg_id    BIGINT NOT NULL,
  created  DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6),
  meas_at  DATETIME(6) NULL,
  PRIMARY KEY (user_id, cg_id),
  KEY oscp_cg_cp_meas_at_idx (meas_at),
  CONSTRAINT oscp_cg_cp_meas_cg_fk FOREIGN KEY (user_id, cg_id) REFERENCES oscp_cg_conf (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE oscp_cg_co_meas LIKE oscp_cg_cp_meas;
ALTER TABLE oscp_cg_co_meas
  ADD CONSTRAINT oscp_cg_co_meas_cg_fk FOREIGN KEY (user_id, cg_id) REFERENCES oscp_cg_conf (user_id, id) ON DELETE CASCADE;

CREATE TABLE oscp_asset_conf (
  user_id      BIGINT NOT NULL,
  id           BIGINT NOT NULL AUTO_INCREMENT,
  created      DATETIME(6) NOT NULL,
  modified     DATETIME(6) NOT NULL,
  enabled      BOOLEAN NOT NULL DEFAULT FALSE,
  cg_id        BIGINT NOT NULL,
  cname        VARCHAR(64) NOT NULL,
  ident        VARCHAR(64) NOT NULL,
  audience     SMALLINT NOT NULL,
  node_id      BIGINT NOT NULL,
  source_id    VARCHAR(64) NOT NULL,
  category     SMALLINT NOT NULL,
  phase        SMALLINT NULL,
  iprops       JSON NULL,
  iprops_stat  SMALLINT NULL,
  iprops_unit  SMALLINT NULL,
  iprops_mult  DECIMAL(38,18) NULL,
  etype        SMALLINT NULL,
  edir         SMALLINT NULL,
  eprops       JSON NULL,
  eprops_stat  SMALLINT NULL,
  eprops_unit  SMALLINT NULL,
  eprops_mult  DECIMAL(38,18) NULL,
  sprops       JSON NULL,
  PRIMARY KEY (user_id, id),
  UNIQUE KEY oscp_asset_conf_id (id),
  UNIQUE KEY oscp_asset_conf_ident_unq (user_id, cg_id, ident),
  KEY oscp_asset_conf_cg_idx (user_id, cg_id, audience),
  CONSTRAINT oscp_asset_conf_cg_fk FOREIGN KEY (user_id, cg_id) REFERENCES oscp_cg_conf (user_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
