"""`rtk-conformance mock --cassette PATH`: a cassette served over HTTP, so any client (curl, the SDK,
other languages) can replay it."""

from __future__ import annotations

import http
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vcr import matchers
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as RecordedRequest

from conformance.cassettes import MAX_CASSETTE_BYTES
from conformance.cassettes.cassette import (
    REPLAY_TOKEN,
    Persister,
    Recording,
    base_and_parameters,
    load_recording,
    same_credentials,
    same_query,
)
from conformance.cassettes.reading import CassetteError, read_cassette
from conformance.mock.app import Reply, lifespan, send_reply
from conformance.secret import Secret

HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
SERVABLE = {int(status) for status in http.HTTPStatus}  # what uvicorn can write a status line for


class CassetteServer:
    """ASGI app answering each request with its recorded response; a request not recorded gets 501."""

    def __init__(self, path: Path, token: Secret = REPLAY_TOKEN, limit: int = MAX_CASSETTE_BYTES) -> None:
        self.recording: Recording = load_recording(path, base_and_parameters, limit)
        self.token = token
        unservable = sorted({i["response"]["status"]["code"] for i in read_cassette(path, limit)["interactions"]} - SERVABLE)
        if unservable:
            raise CassetteError(
                f"cassette {path} holds status {unservable[0]}, which an HTTP server here cannot send (only the registered"
                " statuses): replay it with rtk-conformance run --cassette instead"
            )

        match_on = (matchers.method, matchers.path, same_query, lambda got, recorded: same_credentials(got, recorded, token))
        persister = Persister(None, limit)
        self.cassette = Cassette.load(
            path=str(path), persister=persister, record_mode=RecordMode.NONE, match_on=match_on, allow_playback_repeats=True
        )

    @property
    def base_path(self) -> str:
        return urlsplit(self.recording.base_url).path

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "http":
            await send_reply(send, self.reply(scope))

    def reply(self, scope: dict[str, Any]) -> Reply:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = scope.get("query_string", b"").decode("latin-1")
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        request = RecordedRequest(scope["method"], f"http://replay{path}" + (f"?{query}" if query else ""), b"", headers)
        if not self.cassette.can_play_response_for(request):
            return Reply(501, {"success": False, "error": {"code": 501, "message": f"not in the cassette: {scope['method']} {path}"}})
        recorded = self.cassette.play_response(request)
        kept = {k: ", ".join(v) for k, v in recorded["headers"].items() if k.lower() not in HOP_BY_HOP | {"content-type"}}
        content_type = ", ".join(recorded["headers"].get("content-type", recorded["headers"].get("Content-Type", [""])))
        return Reply(recorded["status"]["code"], recorded["body"]["string"], kept, content_type)
