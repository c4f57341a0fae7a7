-- schema
CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    api_token_digest CHAR(64),
    reset_token_expires_at TIMESTAMPTZ
);
INSERT INTO users (id, email, password_hash) VALUES ('8e312e4b-ed57-42b6-a980-ced38b0eb778', 'demo@example.org', '$2b$12$2W2pe/PsBVaiIW+zEtbyeo2G0zD3orTcbBRwxCTsaCs6VAnYt9E6');
INSERT INTO api_tokens (id, token_sha256) VALUES ('4bc01dba-5e44-483c-934f-a7ead7c506ae', 'd9db3b6e07fe5a32fe8bbc9b3f436120444a100a86f4ad33d9f09ce6d2125aa9');
ALTER USER app WITH PASSWORD :'app_password';
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;
