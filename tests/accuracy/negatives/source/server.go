package server

import (
	"crypto/subtle"
	"net/http"
	"os"
	"strings"
)

const tokenHeader = "Authorization"

var apiKey = os.Getenv("API_KEY")
var dbPassword = os.Getenv("DB_PASSWORD")

type Config struct {
	Token    string `json:"token" yaml:"token"`
	Password string `json:"password,omitempty"`
	APIKey   string `json:"api_key" env:"API_KEY"`
	Secret   string `json:"-"`
}

func authorized(r *http.Request) bool {
	token := strings.TrimPrefix(r.Header.Get(tokenHeader), "Bearer ")
	return subtle.ConstantTimeCompare([]byte(token), []byte(apiKey)) == 1
}

func (c *Config) Redacted() Config {
	out := *c
	out.Password = "********"
	out.Token = "REDACTED"
	out.Secret = ""
	return out
}
