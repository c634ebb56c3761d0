import socket

import httpx
import pytest

from services.graph.client import GraphClient
from services.graph.connection import POOL_SIZE, build_graph_client
from services.graph.errors import GraphUnreachable
from services.settings import SettingsError


def test_one_client_with_timeouts_pool_and_no_redirects():
    client = build_graph_client("https://graph.facebook.com/", version="v25.0", timeout=7.0, max_retries=2)
    try:
        assert isinstance(client, GraphClient)
        assert (client.version, client.major, client.max_retries, client.calls) == ("v25.0", 25, 2, 0)
        http = client.http
        assert (http.base_url.scheme, http.base_url.host) == ("https", "graph.facebook.com")
        assert http.timeout.connect == 5.0 and http.timeout.read == 7.0 and http.timeout.pool == 7.0
        assert http.follow_redirects is False
        pool = http._transport._pool  # no public accessor for the pool size
        assert pool._max_connections == POOL_SIZE == 8
    finally:
        client.close()


@pytest.mark.parametrize("url", ["graph.facebook.com", "ftp://graph.facebook.com", "demo", "https://"])
def test_bad_base_url_is_a_settings_sentence(url):
    with pytest.raises(SettingsError, match="GRAPH_API_URL must be an http:// or https:// address"):
        build_graph_client(url, version="v24.0")


def test_bad_base_url_sentence_hides_a_token_pasted_into_it():
    with pytest.raises(SettingsError) as caught:
        build_graph_client("graph.facebook.com?access_token=EAAGsecret", version="v24.0")
    assert "EAAGsecret" not in str(caught.value)


@pytest.mark.parametrize("version", ["24.0", "v24", "latest"])
def test_bad_version_is_a_settings_sentence(version):
    with pytest.raises(SettingsError, match="GRAPH_API_VERSION must look like v24.0"):
        build_graph_client("https://graph.facebook.com", version=version)


def test_closed_port_is_unreachable_after_retries():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    client = build_graph_client(f"http://127.0.0.1:{port}", version="v24.0", timeout=2.0, sleep=sleeps.append)
    with pytest.raises(GraphUnreachable) as caught:
        client.phone_number("EAAGsecret", "3000000000000101")
    client.close()
    assert str(caught.value) == f"Cannot reach the Graph API at 127.0.0.1:{port}; check the network or GRAPH_API_URL."
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert client.calls == 4 and len(sleeps) == 3


def test_own_transport_is_used():
    calls = []
    transport = httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200, json={"id": "2", "name": "A"}))
    client = build_graph_client("http://graph.simulator.invalid", version="v24.0", transport=transport)
    assert client.business_account("EAAG", "2").name == "A"
    assert calls[0].url.host == "graph.simulator.invalid"


def test_base_url_path_prefix_is_kept_for_a_proxy():
    seen = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200, json={"id": "2", "name": "A"}))
    client = build_graph_client("https://proxy.example.com/meta/graph/", version="v24.0", transport=transport)
    client.business_account("EAAG", "2")
    assert seen[0].url.path == "/meta/graph/v24.0/2"
