import hashlib
import hmac
import os
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
API_TOKEN = os.getenv("API_TOKEN", "")
PASSWORD_MIN_LENGTH = 12
TOKEN_BYTES = 32


def new_token():
    return secrets.token_urlsafe(TOKEN_BYTES)


def check_signature(payload, signature):
    secret = settings.WEBHOOK_SECRET.encode()
    expected = hmac.new(secret, payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def set_password(user, password):
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError("password too short")
    user.password = make_password(password)
    user.api_key = new_token()
    user.save(update_fields=["password", "api_key"])


def login(request):
    password = request.POST.get("password")
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    api_key = request.META.get("HTTP_X_API_KEY")
    return authenticate(request, password=password, token=token, api_key=api_key)
