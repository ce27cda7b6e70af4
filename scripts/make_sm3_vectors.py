"""Write tests/data/signing_vectors_sm3.json: ACS3-HMAC-SM3 signatures made by the official SDK.

Each request is sent by the real product client (``Config(signature_algorithm='ACS3-HMAC-SM3')``) to a
capture server on 127.0.0.1, with the date, nonce and user agent fixed. The SDK's own signing function
is wrapped to record every intermediate string it computes, using the SDK's helpers for each step.

Run: ``.venv/bin/python scripts/make_sm3_vectors.py`` (needs the test extras).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

KEY_ID, SECRET = "LTAI5tTestAccessKeyId", "TestAccessKeySecret0123456789abc"
DATE, NONCE = "2024-05-01T12:00:00Z", "3d1f0e8a9c2b4f6d8e0a1b2c3d4e5f60"
USER_AGENT = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"
ALGORITHM = "ACS3-HMAC-SM3"
OUT = Path(__file__).parents[1] / "tests" / "data" / "signing_vectors_sm3.json"


class _Capture(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        _Capture.seen.append({"method": self.command, "url": self.path, "body": body.decode("utf-8")})
        payload = b'{"RequestId":"captured"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 - http.server's handler names

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _record_signing(steps: list[dict[str, Any]]) -> None:
    """Wrap the SDK's ``get_authorization`` to keep what it signs and each string it derives."""
    from alibabacloud_tea_openapi import utils as sdk

    original = sdk.Utils.get_authorization

    def recording(request: Any, sign_type: str, payload: str, ak: str, secret: str) -> str:
        canonical_query = sdk.get_canonical_query_string(request.query)
        canonical_headers, signed_headers = sdk.get_canonicalized_headers(request.headers)
        canonical = "\n".join(
            [
                request.method,
                request.pathname or "/",
                canonical_query,
                canonical_headers,
                signed_headers,
                payload,
            ]
        )
        to_sign = f"{sign_type}\n{sdk.Utils.hex_encode(sdk.Utils.hash(canonical.encode('utf-8'), sign_type))}"
        authorization = original(request, sign_type, payload, ak, secret)
        steps.append(
            {
                "pathname": request.pathname,
                "query": dict(request.query),
                "headers": dict(request.headers),
                "canonical_request": canonical,
                "string_to_sign": to_sign,
                "signed_headers": signed_headers,
                "signature": authorization.rsplit("Signature=", 1)[1],
                "authorization": authorization,
                "x-acs-content-sha256": payload,
            }
        )
        return authorization

    sdk.Utils.get_authorization = staticmethod(recording)  # type: ignore[method-assign]
    sdk.Utils.get_timestamp = staticmethod(lambda: DATE)  # type: ignore[method-assign]
    sdk.Utils.get_nonce = staticmethod(lambda: NONCE)  # type: ignore[method-assign]
    sdk.Utils.get_user_agent = staticmethod(lambda _agent=None: USER_AGENT)  # type: ignore[method-assign]


def _calls() -> list[tuple[str, str, str, str, Callable[[Any], Any]]]:
    from alibabacloud_eas20210701 import models as eas
    from alibabacloud_ros20190910 import models as ros
    from alibabacloud_vod20170321 import models as vod

    return [
        (
            "eas_create_app_service_sm3",
            "eas",
            "CreateAppService",
            "POST JSON body; query WorkspaceId",
            lambda c: c.create_app_service(
                eas.CreateAppServiceRequest(
                    service_name="my_llm",
                    app_type="LLM",
                    service_spec="llama_7b_fp16",
                    replicas=1,
                    workspace_id="12345",
                    config={"ModelStorage": "oss", "OssPath": "oss://my-bucket/models/"},
                )
            ),
        ),
        (
            "eas_describe_service_sm3",
            "eas",
            "DescribeService",
            "GET, no body",
            lambda c: c.describe_service("cn-hangzhou", "my_llm"),
        ),
        (
            "eas_list_services_label_sm3",
            "eas",
            "ListServices",
            "GET; a JSON map and spaces in the query",
            lambda c: c.list_services(eas.ListServicesRequest(label={"team": "nlp lab"}, filter="a b*c~")),
        ),
        (
            "vod_submit_ai_job_sm3",
            "vod",
            "SubmitAIJob",
            "RPC, every parameter in the query",
            lambda c: c.submit_aijob(vod.SubmitAIJobRequest(media_id="v1", types="AIVideoTag,AIMediaDNA")),
        ),
        (
            "ros_create_ai_task_sm3",
            "ros",
            "CreateAITask",
            "RPC with a form body",
            lambda c: c.create_aitask(
                ros.CreateAITaskRequest(
                    prompt="fix it",
                    task_type="FixTemplate",
                    template='{"ROSTemplateFormatVersion": "2015-09-01"}',
                )
            ),
        ),
    ]


def main() -> None:
    from alibabacloud_eas20210701.client import Client as EasClient
    from alibabacloud_ros20190910.client import Client as RosClient
    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_vod20170321.client import Client as VodClient

    steps: list[dict[str, Any]] = []
    _record_signing(steps)
    vectors = []
    with _server() as port:
        clients = {"eas": EasClient, "vod": VodClient, "ros": RosClient}
        for name, product, action, note, call in _calls():
            config = Config(
                access_key_id=KEY_ID,
                access_key_secret=SECRET,
                endpoint=f"127.0.0.1:{port}",
                protocol="http",
                region_id="cn-hangzhou",
                signature_algorithm=ALGORITHM,
            )
            _Capture.seen.clear()
            steps.clear()
            call(clients[product](config))
            wire, signed = _Capture.seen[-1], steps[-1]
            assert dict(parse_qsl(urlsplit(wire["url"]).query, keep_blank_values=True)) == signed["query"]
            vectors.append(
                {
                    "name": name,
                    "product": product,
                    "action": action,
                    "signature_algorithm": ALGORITHM,
                    "note": note,
                    "access_key_id": KEY_ID,
                    "access_key_secret": SECRET,
                    "request": {
                        "method": wire["method"],
                        "url": wire["url"],
                        "pathname": signed["pathname"],
                        "query": signed["query"],
                        "body": wire["body"] or None,
                        "headers": signed["headers"],
                    },
                    "expected": {
                        key: signed[key]
                        for key in (
                            "x-acs-content-sha256",
                            "canonical_request",
                            "string_to_sign",
                            "signed_headers",
                            "signature",
                            "authorization",
                        )
                    },
                }
            )
    packages = (
        "alibabacloud-tea-openapi",
        "alibabacloud-eas20210701",
        "alibabacloud-vod20170321",
        "alibabacloud-ros20190910",
    )
    document = {
        "generated_by": "scripts/make_sm3_vectors.py: the official SDK clients signing real calls to a capture server",
        "sdk_versions": {package: version(package) for package in packages},
        "fixed_inputs": {"x-acs-date": DATE, "nonce": NONCE, "user-agent": USER_AGENT},
        "vectors": vectors,
    }
    OUT.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(vectors)} vectors to {OUT}")


if __name__ == "__main__":
    main()
