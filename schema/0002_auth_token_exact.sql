-- 0002_auth_token_exact.sql -- token ids compare byte for byte.
--
-- ascii_bin is a PAD SPACE collation: 'abc ' = 'abc', so a request whose
-- Credential carried a trailing space found the real token row.  A
-- VARBINARY column compares the bytes as they are, trailing spaces
-- included; the stored ids (ASCII) are unchanged by the conversion.

ALTER TABLE user_auth_token MODIFY auth_token VARBINARY(64) NOT NULL;
