import pytest
from django.core.exceptions import ImproperlyConfigured

from ladder.env import env_bool, env_int, env_list, mailer_from_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("1", True), ("Yes", True), ("off", False), ("0", False), ("", False)],
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_env_bool_rejects_typos_instead_of_guessing(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", False)


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", True) is True


def test_env_int_rejects_words(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ImproperlyConfigured, match="PORT must be a whole number"):
        env_int("PORT", 80)


def test_env_list_splits_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, ,b.example ")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_smtp_url_becomes_a_mailer():
    mailer = mailer_from_url("smtp://user%40x:p%3Ass@mail.example.com:587?tls=1&timeout=5")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "mail.example.com",
        "port": 587,
        "timeout": 5.0,
        "use_ssl": False,
        "use_tls": True,
        "username": "user@x",
        "password": "p:ss",
    }


def test_smtps_defaults_to_port_465_with_implicit_tls():
    options = mailer_from_url("smtps://mail.example.com")["OPTIONS"]
    assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)


def test_console_url():
    assert mailer_from_url("console:") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://h?timeout=soon"])
def test_bad_email_urls_fail_loudly(url):
    with pytest.raises(ImproperlyConfigured):
        mailer_from_url(url)
