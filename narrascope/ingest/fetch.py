"""Fetch an article by URL, refusing what a server should not reach on a user's behalf."""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request

from narrascope.errors import InputError, InputTooLargeError
from narrascope.ingest.decode import html_charset

MAX_REDIRECTS = 5


def site_of(url: str) -> str:
    """The host of a URL without its ``www.``: the source of an article found by URL."""
    return (urllib.parse.urlsplit(url).hostname or "").removeprefix("www.")


def check_url(url: str, *, allow_private: bool = False) -> tuple[str, ...] | None:
    """Refuse non-http(s) URLs and hosts that resolve to private, loopback, link-local, shared or reserved
    addresses; the addresses checked (None with ``allow_private``), the only ones the fetch may connect to:
    resolving the name again could give another (DNS rebinding)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("only http:// and https:// URLs can be fetched", source=url)
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot resolve the host ({exc}); check the URL", source=url) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if (not address.is_global or address.is_private or address.is_loopback or address.is_link_local
                or address.is_reserved or address.is_multicast or address.is_unspecified):
            raise InputError(f"the host resolves to a non-public address ({address}); fetching it is not "
                             "allowed (the server can allow it with --allow-private-urls)", source=url)
    if not infos:
        raise InputError("the host has no address; check the URL", source=url)
    return tuple(dict.fromkeys(info[4][0] for info in infos))  # each once, in the resolver's order


def _connect(addresses: tuple[str, ...], port: int, timeout, source_address) -> socket.socket:
    """A socket to the first of the checked ``addresses`` that answers (as ``socket.create_connection`` tries
    a name's addresses in turn), never to one the name resolves to afterwards."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the checked ``addresses``, whatever the host name resolves to now."""

    def __init__(self, *args, addresses: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout, self.source_address)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to the checked ``addresses``; the certificate is still checked against the host name."""

    def __init__(self, *args, addresses: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses = addresses

    def connect(self) -> None:
        sock = _connect(self._addresses, self.port, self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses: tuple[str, ...]) -> None:
        super().__init__()
        self.addresses = addresses

    def http_open(self, req):
        return self.do_open(functools.partial(_PinnedHTTPConnection, addresses=self.addresses), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses: tuple[str, ...]) -> None:
        super().__init__()
        self.addresses = addresses

    def https_open(self, req):
        return self.do_open(functools.partial(_PinnedHTTPSConnection, addresses=self.addresses), req,
                            context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # every hop is checked by fetch_url itself
        return None


def fetch_url(url: str, *, allow_private: bool = False, timeout: float = 10.0, max_bytes: int = 5_000_000
              ) -> tuple[str, str]:
    """``(final URL, body as text)``; each redirect is checked like the first URL."""
    for _ in range(MAX_REDIRECTS + 1):
        addresses = check_url(url, allow_private=allow_private)
        # to the checked addresses, and through no proxy (a proxy would resolve the name itself)
        pinned = () if addresses is None else (urllib.request.ProxyHandler({}), _PinnedHTTPHandler(addresses),
                                               _PinnedHTTPSHandler(addresses))
        opener = urllib.request.build_opener(_NoRedirect, *pinned)
        request = urllib.request.Request(url, headers={"User-Agent": "narrascope (+https://example.invalid)"})
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read(max_bytes + 1)
                charset = response.headers.get_content_charset()
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                exc.close()
                url = urllib.parse.urljoin(url, exc.headers["Location"])
                continue
            raise InputError(f"the server answered HTTP {exc.code}", source=url) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise InputError(f"cannot fetch the page ({getattr(exc, 'reason', exc)})", source=url) from None
        if len(body) > max_bytes:
            raise InputTooLargeError(f"the page is larger than {max_bytes} bytes", source=url)
        return url, body.decode(html_charset(body, charset), errors="replace")
    raise InputError(f"more than {MAX_REDIRECTS} redirects", source=url)
