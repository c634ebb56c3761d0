import httpx
import pytest

from services.graph.errors import GraphTimeout, GraphUnreachable, UnreadableResponse
from services.graph.network import failure_of

SECRET_URL = "https://graph.facebook.com:8443/v24.0/debug_token?input_token=EAAGsecret"


@pytest.fixture
def http():
    with httpx.Client(base_url="https://graph.facebook.com:8443", timeout=httpx.Timeout(10.0, connect=5.0)) as client:
        yield client


def failure(exc_type: type[httpx.HTTPError], http: httpx.Client):
    exc = exc_type(f"failed talking to {SECRET_URL}", request=httpx.Request("GET", SECRET_URL))
    error = failure_of(exc, http)
    assert "EAAGsecret" not in str(error) and "debug_token" not in str(error)
    assert error.meta_message == exc_type.__name__
    return error


@pytest.mark.parametrize("exc_type", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError])
def test_connection_failures_are_unreachable(exc_type, http):
    error = failure(exc_type, http)
    assert isinstance(error, GraphUnreachable) and error.transient
    assert str(error) == "Cannot reach the Graph API at graph.facebook.com:8443; check the network or GRAPH_API_URL."


@pytest.mark.parametrize("exc_type", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout])
def test_timeouts_name_the_limit(exc_type, http):
    error = failure(exc_type, http)
    assert isinstance(error, GraphTimeout) and error.transient
    assert str(error) == "Meta's Graph API did not answer within 10 seconds; try again in a minute."


def test_broken_stream_and_undecodable_body(http):
    assert isinstance(failure(httpx.RemoteProtocolError, http), GraphUnreachable)
    assert isinstance(failure(httpx.ReadError, http), GraphUnreachable)
    assert isinstance(failure(httpx.DecodingError, http), UnreadableResponse)


def test_default_port_is_not_shown():
    with httpx.Client(base_url="https://graph.facebook.com", timeout=1.0) as client:
        error = failure_of(httpx.ConnectError("x"), client)
    assert "at graph.facebook.com;" in str(error)
    with httpx.Client(base_url="https://graph.facebook.com", timeout=1.0) as client:
        assert "within 1 second;" in str(failure_of(httpx.ReadTimeout("x"), client))
