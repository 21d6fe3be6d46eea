"""Numbers typed into a URL or a ledger file: "²" and "①" pass str.isdigit but are no ids. They
are ignored or refused like any other bad value, never a server error."""

import pytest

from progress.forms.bounds import positive_int
from progress.services.ledger_import import _key

pytestmark = pytest.mark.django_db

ODD = ["²", "①", "٣", "99999999999999999999", "0", "-1", ""]


@pytest.mark.parametrize("text", ODD)
def test_odd_numbers_are_no_ids(text):
    assert positive_int(text) is None
    assert _key(text) is None


def test_the_pages_that_read_ids_from_the_query_ignore_odd_ones(client, sasac, leader):
    client.force_login(sasac)
    for url in (
        "/reviews/?directive=²",
        "/reviews/?tab=requests&directive=①",
        "/orders/new/?milestone=²&instruction=①",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(leader)
    for url in ("/instructions/new/?milestone=²", "/instructions/new/?directive=①"):
        assert client.get(url).status_code < 500, url
