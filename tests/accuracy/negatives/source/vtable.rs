// Function tables: field names end in Token/Secret/Password, their types
// are identifiers.
#[repr(C)]
pub struct AuthFunctionTable {
    pub AcquireToken: SpAcquireTokenFn,
    pub RefreshToken: SpRefreshTokenFn,
    pub RevokeToken: SpRevokeTokenFn,
    pub QuerySecret: SpQuerySecretFn,
    pub SetPassword: SpSetPasswordFn,
    pub GetApiKey: SpGetApiKeyFn,
    pub ExchangeToken: Option<IoExchangeTokenFn>,
}

pub struct Session {
    pub token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub secret: ClientSecret,
    pub password: DbPassword2,
}
