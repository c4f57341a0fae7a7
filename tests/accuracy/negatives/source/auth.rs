//! Token handling for the API client.

use std::env;

use secrecy::{ExposeSecret, SecretString};

/// Where the token comes from.
const TOKEN_ENV: &str = "ACME_API_TOKEN";
const PASSWORD_PROMPT: &str = "Password: ";
const SECRET_KEY_LEN: usize = 32;

pub struct Credentials {
    pub username: String,
    pub password: SecretString,
    pub api_key: Option<SecretString>,
}

pub fn from_env() -> Result<Credentials, env::VarError> {
    let token = env::var(TOKEN_ENV)?;
    let password = rpassword::prompt_password(PASSWORD_PROMPT).unwrap_or_default();
    let api_key = env::var("ACME_API_KEY").ok().map(SecretString::from);
    Ok(Credentials { username: token.clone(), password: password.into(), api_key })
}

pub fn header(creds: &Credentials) -> String {
    format!("Bearer {}", creds.password.expose_secret())
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_is_read() {
        let token = "test-token";
        assert_eq!(token.len(), 10);
        let secret_key = [0u8; super::SECRET_KEY_LEN];
        assert!(secret_key.iter().all(|b| *b == 0));
    }
}
