import axios from "axios";

export interface Credentials {
  apiKey: string;
  token?: string;
  password?: string;
}

const API_KEY = process.env.API_KEY ?? "";
const TOKEN_STORAGE_KEY = "auth.token";
const secretName = "prod/app/db";

export function client(creds: Credentials) {
  return axios.create({
    baseURL: "https://api.example.com",
    headers: { Authorization: `Bearer ${creds.token}`, "X-Api-Key": creds.apiKey },
  });
}

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_STORAGE_KEY, token);
}

export const passwordRules = { minLength: 12, requireDigit: true };
export const tokenType = "Bearer";
export const apiKeyHeader = "X-Api-Key";
