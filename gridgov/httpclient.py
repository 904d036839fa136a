"""A small HTTP client for tests and benchmarks that talk to a running server over real sockets (stdlib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body: ``files`` are (field, filename, content, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content, content_type in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def request(
    url: str,
    method: str = "GET",
    *,
    fields: dict[str, str] | None = None,
    files: list[tuple[str, str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    timeout: float = 30,
) -> Answer:
    data = None
    all_headers = dict(headers or {})
    if files:
        data, all_headers["Content-Type"] = multipart(fields or {}, files)
    elif fields is not None:
        data = urllib.parse.urlencode(fields).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    prepared = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with (opener or urllib.request.build_opener()).open(prepared, timeout=timeout) as response:
            return Answer(response.status, response.headers.get("Content-Type", ""), response.read(),
                          dict(response.headers))  # fmt: skip
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Content-Type", ""), error.read(), dict(error.headers))
