import pytest

from app.auth import hash_password, verify


@pytest.fixture
def user(db):
    return db.create_user(email="a@example.org", password="test-password")


def test_wrong_password_is_rejected(user):
    assert not verify(user, password="wrong")


def test_token_round_trip(client):
    token = client.post("/tokens").json()["token"]
    assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).ok


def test_hash_is_salted():
    assert hash_password("hunter2") != hash_password("hunter2")


API_KEY_HEADER = "X-Api-Key"
SECRET_FIELDS = ("password", "token", "api_key", "secret")
PASSWORD_RE = r"^(?=.*\d)(?=.*[a-z]).{12,}$"
mock_token = Mock(spec=Token)
password = getpass.getpass("Password: ")
token = request.args.get("token")
api_key = kwargs.pop("api_key", None)
secret = base64.b64decode(os.environ["SECRET_B64"])
