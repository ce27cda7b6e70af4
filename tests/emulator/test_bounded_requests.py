"""Every product's requests are parsed within bounds: a body, parameter or template nested too deep, or
a YAML alias bomb, is a 400 naming the parameter, never a 500, a RecursionError or a stored bomb.

Driven over HTTP with the official SDKs where they can carry the document, and with requests signed by
our client where the document is past what an SDK would serialize (100,000 levels).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from alibabacloud_eas20210701 import models as eas
from alibabacloud_ros20190910 import models as ros
from alibabacloud_vod20170321 import models as vod
from Tea.exceptions import TeaException

from pulumi_alicloud_ai.client.auth import sign_request
from pulumi_alicloud_ai.client.credentials import Credentials
from pulumi_alicloud_ai.emulator import RunningEmulator
from tests.deep_documents import billion_laughs, deep_json, nested
from tests.official_sdk import eas_client, ros_client, vod_client

DEEP = 100_000
"""Past any recursion limit: a parser that recurses per level fails on it."""
OVER = 65
"""One level past the emulator's limit (64): small enough for an SDK to serialize."""
DEEP_QUERY = 2_000
"""Past the recursion limit, yet short enough for a URL (RPC SDKs send parameters in the query)."""


def _raised(call: Callable[[], Any]) -> TeaException:
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def _assert_refused(error: TeaException, code: str, *words: str) -> None:
    assert error.code == code, error.message
    assert error.data["statusCode"] == 400
    for word in words:
        assert word in error.message


def _eas(emulator: RunningEmulator, method: str, path: str, action: str, body: bytes) -> httpx.Response:
    """A ROA call signed by our client, with a body no SDK would build."""
    request = httpx.Request(
        method,
        f"{emulator.url}{path}",
        content=body,
        headers={
            "host": "pai-eas.cn-shanghai.aliyuncs.com",
            "content-type": "application/json",
            "x-acs-action": action,
            "x-acs-version": "2021-07-01",
        },
    )
    sign_request(request, Credentials("test", "test"), time.time(), uuid.uuid4().hex)
    with httpx.Client(timeout=30) as client:
        return client.send(request)


def _service_body(name: str, config: str) -> bytes:
    head = json.dumps({"ServiceName": name, "AppType": "LLM", "ServiceSpec": "llama_7b_fp16", "Replicas": 1})
    return (head[:-1] + f', "Config": {config}}}').encode()


class TestEas:
    def test_create_with_a_deep_config_is_refused(self, emulator: RunningEmulator) -> None:
        """CreateAppService (official SDK) with a Config one level too deep is 400
        InvalidParameter.Body, and no service is made."""
        request = eas.CreateAppServiceRequest(
            service_name="deep_config_sdk",
            app_type="LLM",
            service_spec="llama_7b_fp16",
            replicas=1,
            config={"Extra": nested(OVER - 2)},
        )
        error = _raised(lambda: eas_client(emulator).create_app_service(request))
        _assert_refused(error, "InvalidParameter.Body", "nests deeper than 64 levels")
        missing = _raised(lambda: eas_client(emulator).describe_service("cn-shanghai", "deep_config_sdk"))
        assert missing.data["statusCode"] == 404

    def test_the_reported_600_deep_config_is_refused(self, emulator: RunningEmulator) -> None:
        """The Config that was accepted with 200 and then broke the dashboard (a 600-deep list) is 400."""
        body = _service_body("deep_config_600", '{"Extra": ' + deep_json(600) + "}")
        response = _eas(emulator, "POST", "/api/v2/app_services", "CreateAppService", body)
        assert response.status_code == 400, response.text
        assert response.json()["Code"] == "InvalidParameter.Body"

    @pytest.mark.parametrize(
        ("method", "path", "action"),
        [
            ("POST", "/api/v2/app_services", "CreateAppService"),
            ("PUT", "/api/v2/app_services/cn-shanghai/some_service", "UpdateAppService"),
            ("PUT", "/api/v2/services/cn-shanghai/some_service?UpdateType=merge", "UpdateService"),
        ],
    )
    @pytest.mark.parametrize(
        "body",
        [
            deep_json(DEEP).encode(),
            _service_body("x_deep", deep_json(DEEP)),
            ('{"a":' * DEEP + "1" + "}" * DEEP).encode(),
            ("[" * DEEP).encode(),
        ],
        ids=["array", "in-config", "objects", "unclosed"],
    )
    def test_bodies_past_any_recursion_limit_are_400(
        self, emulator: RunningEmulator, method: str, path: str, action: str, body: bytes
    ) -> None:
        """100,000 levels in any EAS body are a 400 InvalidParameter.Body, not a 500."""
        response = _eas(emulator, method, path, action, body)
        assert response.status_code == 400, response.text
        assert response.json()["Code"] == "InvalidParameter.Body"
        assert "nests deeper than 64 levels" in response.json()["Message"]

    def test_update_service_config_text_is_bounded(self, emulator: RunningEmulator) -> None:
        """UpdateService's raw config (a JSON string in the SDK) is read within the same bounds."""
        request = eas.UpdateServiceRequest(update_type="merge", body=json.dumps({"metadata": nested(OVER)}))
        error = _raised(lambda: eas_client(emulator).update_service("cn-shanghai", "some_service", request))
        _assert_refused(error, "InvalidParameter.Body", "The service config nests deeper")


class TestVod:
    @pytest.mark.parametrize("depth", [OVER, DEEP_QUERY])
    @pytest.mark.parametrize("kind", ["AIImage", "AIMediaAudit"])
    def test_deep_template_config_is_refused(self, emulator: RunningEmulator, depth: int, kind: str) -> None:
        """AddAITemplate with a deep TemplateConfig is 400 InvalidParameter.TemplateConfig."""
        config = json.dumps({"Count": 1, "Extra": nested(depth)}) if depth < 1000 else deep_json(depth)
        request = vod.AddAITemplateRequest(template_name="deep", template_type=kind, template_config=config)
        error = _raised(lambda: vod_client(emulator).add_aitemplate(request))
        _assert_refused(error, "InvalidParameter.TemplateConfig", "TemplateConfig nests deeper than 64")

    def test_update_with_a_deep_config_is_refused_and_keeps_the_old_one(
        self, emulator: RunningEmulator
    ) -> None:
        """UpdateAITemplate with a deep TemplateConfig is refused; the template is unchanged."""
        client = vod_client(emulator)
        add = vod.AddAITemplateRequest(
            template_name="kept", template_type="AIImage", template_config='{"Count": 2}'
        )
        template_id = client.add_aitemplate(add).body.template_id
        update = vod.UpdateAITemplateRequest(
            template_id=template_id, template_name="kept", template_config=deep_json(DEEP_QUERY)
        )
        _assert_refused(_raised(lambda: client.update_aitemplate(update)), "InvalidParameter.TemplateConfig")
        info = client.get_aitemplate(vod.GetAITemplateRequest(template_id=template_id)).body.template_info
        assert info.template_config == '{"Count": 2}'

    @pytest.mark.parametrize("depth", [OVER, 240])
    def test_deep_user_data_is_refused(self, emulator: RunningEmulator, depth: int) -> None:
        """SubmitAIImageJob with a UserData nested past the limit (within its 512 bytes) is refused
        with InvalidParameter.UserData before the job is made."""
        client = vod_client(emulator)
        video = httpx.post(f"{emulator.url}/_emulator/vod/videos", json={"Title": "v", "Duration": 5}).json()
        add = vod.AddAITemplateRequest(
            template_name="t", template_type="AIImage", template_config='{"Count": 1}'
        )
        template_id = client.add_aitemplate(add).body.template_id
        user_data = json.dumps({"Extend": nested(depth)}, separators=(",", ":"))
        assert len(user_data) <= 512
        request = vod.SubmitAIImageJobRequest(
            video_id=video["VideoId"], aitemplate_id=template_id, user_data=user_data
        )
        error = _raised(lambda: client.submit_aiimage_job(request))
        _assert_refused(error, "InvalidParameter.UserData", "nests deeper than 64 levels")


ROS_REFUSED = {
    "json-arrays": ("ROS", '{"Resources": ' + deep_json(DEEP) + "}"),
    "json-objects": ("ROS", '{"a":' * (DEEP // 2) + "1" + "}" * (DEEP // 2)),
    "json-one-past": ("ROS", json.dumps({"Resources": {"R": {"Properties": {"P": nested(OVER - 4)}}}})),
    "lenient-json-deep": ("ROS", '{"Resources": ' + deep_json(DEEP) + ",}"),
    "yaml-flow": ("ROS", "Resources: " + deep_json(DEEP)),
    "yaml-block": ("ROS", "Resources:\n" + "".join("  " * n + "- \n" for n in range(1, OVER + 2))),
    "yaml-bomb-5": (
        "ROS",
        billion_laughs(5, head="ROSTemplateFormatVersion: '2015-09-01'") + "Resources: {}\n",
    ),
    "yaml-bomb-9": (
        "ROS",
        billion_laughs(9, head="ROSTemplateFormatVersion: '2015-09-01'") + "Resources: {}\n",
    ),
    "yaml-merge-bomb": (
        "ROS",
        "m0: &m0 {"
        + ", ".join(f"k{i}: {'v' * 40}" for i in range(10))
        + "}\n"
        + "".join(
            f"m{n}: &m{n} {{" + ", ".join(f"k{i}: *m{n - 1}" for i in range(10)) + "}\n" for n in range(1, 6)
        )
        + "Resources:\n  <<: *m5\n",
    ),
    "yaml-cycle": ("ROS", "ROSTemplateFormatVersion: '2015-09-01'\nResources: &r\n  Loop: *r\n"),
    "yaml-too-many-aliases": ("ROS", "a: &a x\nResources: [" + ", ".join(["*a"] * 101) + "]\n"),
    "lenient-json-bomb": (
        "ROS",
        '{"a": &a [1,1,1,1,1,1,1,1,1,1], "b": &b ['
        + ",".join(["*a"] * 10)
        + "], "
        + '"c": &c ['
        + ",".join(["*b"] * 10)
        + '], "d": &d ['
        + ",".join(["*c"] * 10)
        + '], "e": &e ['
        + ",".join(["*d"] * 10)
        + '], "f": ['
        + ",".join(["*e"] * 10)
        + "],}",
    ),
    "hcl-lists": ("Terraform", "locals {\n  x = " + deep_json(DEEP) + "\n}\n"),
    "hcl-blocks": ("Terraform", "".join("b {\n" for _ in range(OVER)) + "}\n" * OVER),
    "hcl-interpolations": ("Terraform", "locals {\n  x = " + '"${' * OVER + "1" + '}"' * OVER + "\n}\n"),
    "hcl-attribute-chain": ("Terraform", "locals {\n  x = a" + ".b" * 5000 + "\n}\n"),
    "hcl-operator-chain": ("Terraform", "locals {\n  x = " + " + ".join(["1"] * 5000) + "\n}\n"),
}


class TestRos:
    @pytest.mark.parametrize(("template_type", "template"), ROS_REFUSED.values(), ids=ROS_REFUSED.keys())
    def test_fix_template_past_the_bounds_is_400(
        self, emulator: RunningEmulator, template_type: str, template: str
    ) -> None:
        """CreateAITask FixTemplate with a template too deep, an alias bomb or cycle, or too many
        aliases, in JSON, YAML or HCL, is 400 InvalidParameter.Template; no task is stored."""
        client = ros_client(emulator)
        before = client.list_aitasks(ros.ListAITasksRequest(max_results=100)).body.tasks or []
        request = ros.CreateAITaskRequest(
            task_type="FixTemplate", template=template, template_type=template_type
        )
        error = _raised(lambda: client.create_aitask(request))
        _assert_refused(error, "InvalidParameter.Template", "refused before it is parsed any further")
        after = client.list_aitasks(ros.ListAITasksRequest(max_results=100)).body.tasks or []
        assert len(after) == len(before)

    def test_a_template_with_a_few_aliases_is_still_fixed(self, emulator: RunningEmulator) -> None:
        """Anchors and aliases within the bounds are read and the template is repaired as usual."""
        template = (
            "Tags: &tags [{Key: env, Value: test}]\n"
            "Resources:\n"
            "  Vpc: {Type: ALIYUN::ECS::VPC, Properties: {CidrBlock: 10.0.0.0/8, Tags: *tags}}\n"
            "  Sw: {Type: ALIYUN::ECS::VSwitch, Properties: {CidrBlock: 10.0.0.0/24, Tags: *tags}}\n"
        )
        client = ros_client(emulator)
        request = ros.CreateAITaskRequest(task_type="FixTemplate", template=template)
        task_id = client.create_aitask(request).body.task_id
        httpx.post(f"{emulator.url}/_emulator/clock", json={"seconds": 60}).raise_for_status()
        done = client.get_aitask(ros.GetAITaskRequest(task_id=task_id, output_option="Enabled")).body
        assert done.status == "SUCCESS", done.status_reason
        result = done.task_output["Result"]
        assert result["ROSTemplateFormatVersion"] == "2015-09-01"
        assert result["Resources"]["Sw"]["Properties"]["Tags"] == [{"Key": "env", "Value": "test"}]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/faults", "InvalidParameter.FaultRule"),
        ("/clock", "InvalidParameter.Seconds"),
        ("/sts", "InvalidParameter.DurationSeconds"),
        ("/vod/videos", "InvalidParameter.Video"),
    ],
)
def test_admin_bodies_are_bounded(emulator: RunningEmulator, path: str, code: str) -> None:
    """The admin API reads its JSON bodies within the same bounds: 400 with its own code, never 500."""
    response = httpx.post(
        f"{emulator.url}/_emulator{path}",
        content=deep_json(DEEP),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert response.json()["Code"] == code
    assert "nests deeper than 64 levels" in response.json()["Message"]


def test_the_dashboard_and_feed_still_answer(emulator: RunningEmulator) -> None:
    """After all of the above, the dashboard, its live part and feed, and health answer 200."""
    for path in ("/ui", "/ui/live", "/ui/feed", "/health"):
        assert httpx.get(f"{emulator.url}/_emulator{path}", timeout=30).status_code == 200, path
